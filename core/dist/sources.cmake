# core/dist: data-parallel runs on PyTorch's c10d (the launchers' environment,
# the TCPStore rendezvous, Gloo, and NCCL on CUDA builds).
target_sources(awb_core PRIVATE
    dist/dist_env.cpp
    dist/communicator.cpp
)
# c10d's Gloo process group needs Gloo's headers (libgloo-dev); Debian's
# LibTorch is built with it but its CMake config does not say so.
find_path(AWB_GLOO_INCLUDE_DIR gloo/config.h)
if(AWB_GLOO_INCLUDE_DIR)
    set_property(SOURCE dist/communicator.cpp APPEND PROPERTY COMPILE_DEFINITIONS USE_C10D_GLOO)
    message(STATUS "awb: data-parallel runs on c10d's Gloo (${AWB_GLOO_INCLUDE_DIR}/gloo)")
else()
    message(WARNING "awb: Gloo's headers (libgloo-dev) were not found; awb will run single-process only")
endif()
