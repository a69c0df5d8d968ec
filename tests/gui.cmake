# Tests of app/'s controllers (worker threads, store adapters) and the
# assembled window: they link the whole GUI library and train on the small
# demo the core/demo_small_setup fixture builds. Every tests/gui/tst_<unit>.cpp
# is one test.
if(AWB_BUILD_GUI)
    file(GLOB AWB_GUI_TESTS CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/gui/tst_*.cpp")
    foreach(file IN LISTS AWB_GUI_TESTS)
        get_filename_component(name "${file}" NAME_WE)
        string(REGEX REPLACE "^tst_" "" unit "${name}")
        awb_add_test(${unit} DIR gui LIBS awb_app LABELS demo)
        target_compile_definitions(${name} PRIVATE AWB_DEMO_SMALL_DIR="${AWB_DEMO_SMALL_DIR}")
        set_tests_properties(gui/${unit} PROPERTIES FIXTURES_REQUIRED demo_small)
    endforeach()
endif()
