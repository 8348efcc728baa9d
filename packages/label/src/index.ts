// @puyu/label — labelling in the manner of LabelLLM (dialogues) and LabelU (images).
export {};
