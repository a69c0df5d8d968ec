# core/text: tokenizer.json BPE and chat templates.
target_sources(awb_core PRIVATE
)
