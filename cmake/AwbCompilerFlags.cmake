# Warnings, sanitizers and the compiler cache, applied to every target of the project.

if(AWB_ASAN AND AWB_TSAN)
    message(FATAL_ERROR "AWB_ASAN and AWB_TSAN cannot be combined: pick one")
endif()

find_program(AWB_CCACHE ccache)
if(AWB_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
    set(CMAKE_CXX_COMPILER_LAUNCHER "${AWB_CCACHE}")
endif()

# Interface target that every awb target links: warnings stay on our code only,
# never on LibTorch's or Qt's headers (those come in as SYSTEM includes).
add_library(awb_warnings INTERFACE)
target_compile_options(awb_warnings INTERFACE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
if(AWB_WERROR)
    target_compile_options(awb_warnings INTERFACE -Werror)
endif()

# Hardening, as Debian's dpkg-buildflags gives its packages: fortified libc
# calls (which need optimisation), the strong stack protector, and
# relocations resolved at load time and then made read-only. Sanitizer
# builds leave them out.
if(NOT AWB_ASAN AND NOT AWB_TSAN)
    add_compile_definitions($<$<NOT:$<CONFIG:Debug>>:_FORTIFY_SOURCE=2>)
    add_compile_options(-fstack-protector-strong)
    add_link_options(LINKER:-z,relro LINKER:-z,now)
endif()

if(AWB_ASAN)
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=address,undefined)
endif()
if(AWB_TSAN)
    add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
    add_link_options(-fsanitize=thread)
endif()
