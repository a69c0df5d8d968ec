# Tests of the views (widgets/): every tests/widgets/tst_<unit>.cpp links
# awb_widgets only, except tst_main_window, which tests the assembled app.
if(AWB_BUILD_GUI)
    file(GLOB AWB_WIDGET_TESTS CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/widgets/tst_*.cpp")
    foreach(file IN LISTS AWB_WIDGET_TESTS)
        get_filename_component(name "${file}" NAME_WE)
        string(REGEX REPLACE "^tst_" "" unit "${name}")
        if(unit STREQUAL "main_window")
            awb_add_test(${unit} DIR widgets LIBS awb_app)
        else()
            awb_add_test(${unit} DIR widgets LIBS awb_widgets)
        endif()
    endforeach()
endif()
