// @puyu/assistant — a domain assistant in the manner of HuixiangDou, with calibrated rejection.
export {};
