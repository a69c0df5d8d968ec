# Tokenizer tests (core/text).
