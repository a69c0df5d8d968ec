# core/demo: the embedded demo scenario (demo-init).
target_sources(awb_core PRIVATE
    demo/demo_builder.cpp
)
# Where a build run from the source tree finds the shipped demo.
set_source_files_properties(demo/demo_builder.cpp PROPERTIES
    COMPILE_DEFINITIONS "AWB_DEMO_SOURCE_DIR=\"${PROJECT_SOURCE_DIR}/resources/demo\"")
