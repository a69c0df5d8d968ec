# Tests of app/'s controllers (worker threads, store adapters): they link the
# whole GUI library. Every tests/gui/tst_<unit>.cpp is one test.
if(AWB_BUILD_GUI)
    file(GLOB AWB_GUI_TESTS CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/gui/tst_*.cpp")
    foreach(file IN LISTS AWB_GUI_TESTS)
        get_filename_component(name "${file}" NAME_WE)
        string(REGEX REPLACE "^tst_" "" unit "${name}")
        awb_add_test(${unit} DIR gui LIBS awb_app)
    endforeach()
endif()
