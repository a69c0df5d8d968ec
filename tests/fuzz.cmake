# The fuzz corpora replayed in the normal build (label fuzz; no clang needed),
# and the limits on valid but hostile input (core/io/input_limits.h).
#
# core/fuzz_replay runs every file of tests/fuzz/corpus/<target>/ through the
# entry the libFuzzer target fuzz_<target> runs (tests/fuzz/fuzz_entries.h).
awb_add_test(fuzz_replay DIR core LIBS awb_fuzz_entries LABELS fuzz)
target_compile_definitions(tst_fuzz_replay PRIVATE AWB_FUZZ_CORPUS_DIR="${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus")
awb_add_test(input_limits DIR core LIBS awb_base LABELS fuzz)
