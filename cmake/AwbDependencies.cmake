# Third-party packages. Every one of them is installed by scripts/setup.sh
# (Debian package names are given beside each).

find_package(Threads REQUIRED)

# LibTorch: libtorch-dev (CPU). For a CUDA build point CMAKE_PREFIX_PATH at an
# unpacked LibTorch (see README.md); nothing else changes.
find_package(Torch REQUIRED)
# TorchConfig puts -D_GLIBCXX_USE_CXX11_ABI and friends in TORCH_CXX_FLAGS.
separate_arguments(AWB_TORCH_CXX_FLAGS UNIX_COMMAND "${TORCH_CXX_FLAGS}")

find_package(SQLite3 REQUIRED)                   # libsqlite3-dev
find_package(ZLIB REQUIRED)                      # zlib1g-dev: gzip-compressed prompt sets
find_package(nlohmann_json 3.10 REQUIRED)        # nlohmann-json3-dev
find_package(CLI11 REQUIRED)                     # libcli11-dev
find_package(PkgConfig REQUIRED)                 # pkg-config
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)   # libpcre2-dev

# Torch as one imported target with its headers marked SYSTEM, so our -Werror
# never trips on warnings inside LibTorch.
add_library(awb_torch INTERFACE)
target_link_libraries(awb_torch INTERFACE ${TORCH_LIBRARIES})
target_include_directories(awb_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
target_compile_options(awb_torch INTERFACE ${AWB_TORCH_CXX_FLAGS})

if(AWB_BUILD_GUI OR AWB_BUILD_TESTS)
    # qt6-base-dev, qt6-tools-dev (LinguistTools), libqt6svg6-dev
    set(AWB_QT_COMPONENTS Core Gui Widgets PrintSupport Sql Svg Test)
    if(AWB_BUILD_GUI)
        list(APPEND AWB_QT_COMPONENTS LinguistTools)
    endif()
    find_package(Qt6 6.4 REQUIRED COMPONENTS ${AWB_QT_COMPONENTS})
endif()

if(AWB_BUILD_GUI)
    # libqcustomplot-dev; its config fails unless Qt6::PrintSupport was found first.
    find_package(QCustomPlotQt6 REQUIRED)
endif()
