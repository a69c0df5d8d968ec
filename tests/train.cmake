# Tests of core/train.
awb_add_test(advantages DIR core LIBS awb_core)
awb_add_test(grpo_loss DIR core LIBS awb_core)
awb_add_test(adamw DIR core LIBS awb_core)
awb_add_test(lr_schedule DIR core LIBS awb_core)
awb_add_test(grpo_options DIR core LIBS awb_core)
awb_add_test(lm_trainer DIR core LIBS awb_core)
awb_add_test(grpo_trainer DIR core LIBS awb_core)
awb_add_test(model_export DIR core LIBS awb_reference_lm awb_core)
