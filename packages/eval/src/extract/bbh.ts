/**
 * BBH answers, OpenCompass `bbh_mcq_postprocess` / `bbh_freeform_postprocess`. Both cut the text
 * after the first "answer is " (the 3-shot CoT prompts end every exemplar with "So the answer is X.").
 */

function afterAnswerIs(text: string): string {
  const parts = text.split('answer is ');
  return parts.length !== 1 ? parts[1].trim() : text;
}

/** Multiple-choice tasks: the letter in the first "(X)", else the first capital letter; gold "(B)" → "B". */
export function bbhMcq(text: string): string {
  const ans = afterAnswerIs(text);
  const paren = /\(([A-Z])\)*/.exec(ans);
  if (paren) return paren[1];
  const cap = /([A-Z])/.exec(ans);
  if (cap) return cap[1];
  return ans;
}

/** Free-form tasks: the first line after "answer is ", without a final period, un-bolded. */
export function bbhFreeform(text: string): string {
  let ans = afterAnswerIs(text);
  ans = ans.split('\n')[0].trim();
  if (ans.endsWith('.')) ans = ans.slice(0, -1).trim();
  const bold = /\*\*(.*?)\*\*/.exec(ans);
  return bold ? bold[1] : ans;
}

/** The 17 BBH tasks OpenCompass scores as multiple choice (answers "(A)"…); the other 10 are free-form. */
export const BBH_MCQ_TASKS: readonly string[] = [
  'temporal_sequences',
  'disambiguation_qa',
  'date_understanding',
  'tracking_shuffled_objects_three_objects',
  'penguins_in_a_table',
  'geometric_shapes',
  'snarks',
  'ruin_names',
  'tracking_shuffled_objects_seven_objects',
  'tracking_shuffled_objects_five_objects',
  'logical_deduction_three_objects',
  'hyperbaton',
  'logical_deduction_five_objects',
  'logical_deduction_seven_objects',
  'movie_recommendation',
  'salient_translation_error_detection',
  'reasoning_about_colored_objects',
];

export const BBH_FREEFORM_TASKS: readonly string[] = [
  'multistep_arithmetic_two',
  'navigate',
  'dyck_languages',
  'word_sorting',
  'sports_understanding',
  'boolean_expressions',
  'object_counting',
  'formal_fallacies',
  'causal_judgement',
  'web_of_lies',
];
