# core/data: prompt sets and the demo corpus.
target_sources(awb_core PRIVATE
    data/csv_reader.cpp
    data/demo_corpus.cpp
    data/demo_rubric.cpp
    data/gold_judge.cpp
    data/prompt_import.cpp
    data/text_reader.cpp
)
