# Tests of core/store.
awb_add_test(store DIR core LIBS awb_core)
awb_add_test(store_query DIR core LIBS awb_core)
awb_add_test(store_robustness DIR core LIBS awb_core)
awb_add_test(label_exchange DIR core LIBS awb_core)
