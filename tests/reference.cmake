# Naive reference forward passes of Hugging Face causal LMs (tests/core/reference_lm.*),
# a library so parity tests of core/model can link it, plus its own self-tests.

add_library(awb_reference_lm STATIC core/reference_lm.cpp)
target_include_directories(awb_reference_lm PUBLIC "${CMAKE_CURRENT_SOURCE_DIR}")
target_link_libraries(awb_reference_lm PUBLIC awb_core PRIVATE awb_warnings)

awb_add_test(reference_lm DIR core LIBS awb_reference_lm awb_core
    SOURCES core/tst_reference_lm_models.cpp core/tst_reference_lm.h)
