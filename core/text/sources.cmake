# core/text: tokenizer.json BPE and chat templates (no LibTorch: awb_base).
target_sources(awb_base PRIVATE
    text/added_tokens.cpp
    text/bpe_model.cpp
    text/bpe_trainer.cpp
    text/byte_level.cpp
    text/chat_template.cpp
    text/ecma_regex.cpp
    text/normalizer.cpp
    text/pre_tokenizer.cpp
    text/token_stream_decoder.cpp
    text/tokenizer.cpp
    text/tokenizer_load.cpp
    text/utf8.cpp
)

# NFC and friends, and character properties for single_word added tokens (libicu-dev).
find_package(ICU REQUIRED COMPONENTS uc)
target_link_libraries(awb_base PRIVATE ICU::uc)
