# core/data: prompt sets (the importer and its readers are in awb_base, with no
# LibTorch) and the demo corpus.
target_sources(awb_base PRIVATE
    data/csv_reader.cpp
    data/prompt_import.cpp
    data/text_reader.cpp
)
target_sources(awb_core PRIVATE
    data/demo_corpus.cpp
    data/demo_rubric.cpp
    data/gold_judge.cpp
)
