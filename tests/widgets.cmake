# Tests of the views (widgets/): every tests/widgets/tst_<unit>.cpp links
# awb_widgets (and Qt6::Svg, to read exported SVG back), except tst_main_window
# and tst_translations, which test the assembled app (tst_translations also
# runs the executable and reads the .ts files).
if(AWB_BUILD_GUI)
    file(GLOB AWB_WIDGET_TESTS CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/widgets/tst_*.cpp")
    foreach(file IN LISTS AWB_WIDGET_TESTS)
        get_filename_component(name "${file}" NAME_WE)
        string(REGEX REPLACE "^tst_" "" unit "${name}")
        if(unit STREQUAL "main_window")
            awb_add_test(${unit} DIR widgets LIBS awb_app)
        elseif(unit STREQUAL "translations")
            awb_add_test(${unit} DIR widgets LIBS awb_app)
            target_compile_definitions(tst_translations PRIVATE AWB_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
            add_dependencies(tst_translations alignment-workbench)
        else()
            awb_add_test(${unit} DIR widgets LIBS awb_widgets Qt6::Svg)
        endif()
    endforeach()
endif()
