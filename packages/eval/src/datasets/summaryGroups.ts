/**
 * OpenCompass's summarizer groups for the subject-split benchmarks, transcribed from
 * opencompass/configs/summarizers/groups/{mmlu,cmmlu,ceval,bbh}.py (commit a5acc4b). OpenCompass
 * runs each subject as its own dataset (abbr `lukaemon_mmlu_anatomy`, `cmmlu-agronomy`,
 * `ceval-accountant`, `bbh-navigate`) and its DefaultSummarizer averages the subjects' accuracies
 * per group without weights (`naive_average`), or with the group's `weights` (`weighted_average`,
 * only `mmlu-weighted`). The headline of each benchmark is the unweighted group over every subject,
 * so a 100-question subject counts as much as the 1,534-question professional_law.
 */
import { BBH_FREEFORM_TASKS, BBH_MCQ_TASKS } from '../extract/bbh.js';
import type { SummaryGroup } from '../types.js';

const MMLU_HUMANITIES = [
  'formal_logic',
  'high_school_european_history',
  'high_school_us_history',
  'high_school_world_history',
  'international_law',
  'jurisprudence',
  'logical_fallacies',
  'moral_disputes',
  'moral_scenarios',
  'philosophy',
  'prehistory',
  'professional_law',
  'world_religions',
];
const MMLU_STEM = [
  'abstract_algebra',
  'anatomy',
  'astronomy',
  'college_biology',
  'college_chemistry',
  'college_computer_science',
  'college_mathematics',
  'college_physics',
  'computer_security',
  'conceptual_physics',
  'electrical_engineering',
  'elementary_mathematics',
  'high_school_biology',
  'high_school_chemistry',
  'high_school_computer_science',
  'high_school_mathematics',
  'high_school_physics',
  'high_school_statistics',
  'machine_learning',
];
const MMLU_SOCIAL_SCIENCE = [
  'econometrics',
  'high_school_geography',
  'high_school_government_and_politics',
  'high_school_macroeconomics',
  'high_school_microeconomics',
  'high_school_psychology',
  'human_sexuality',
  'professional_psychology',
  'public_relations',
  'security_studies',
  'sociology',
  'us_foreign_policy',
];
const MMLU_OTHER = [
  'business_ethics',
  'clinical_knowledge',
  'college_medicine',
  'global_facts',
  'human_aging',
  'management',
  'marketing',
  'medical_genetics',
  'miscellaneous',
  'nutrition',
  'professional_accounting',
  'professional_medicine',
  'virology',
];
/** Test questions per subject: OpenCompass's fixed weights for `mmlu-weighted`. */
const MMLU_WEIGHTS: Record<string, number> = {
  college_biology: 144,
  college_chemistry: 100,
  college_computer_science: 100,
  college_mathematics: 100,
  college_physics: 102,
  electrical_engineering: 145,
  astronomy: 152,
  anatomy: 135,
  abstract_algebra: 100,
  machine_learning: 112,
  clinical_knowledge: 265,
  global_facts: 100,
  management: 103,
  nutrition: 306,
  marketing: 234,
  professional_accounting: 282,
  high_school_geography: 198,
  international_law: 121,
  moral_scenarios: 895,
  computer_security: 100,
  high_school_microeconomics: 238,
  professional_law: 1534,
  medical_genetics: 100,
  professional_psychology: 612,
  jurisprudence: 108,
  world_religions: 171,
  philosophy: 311,
  virology: 166,
  high_school_chemistry: 203,
  public_relations: 110,
  high_school_macroeconomics: 390,
  human_sexuality: 131,
  elementary_mathematics: 378,
  high_school_physics: 151,
  high_school_computer_science: 100,
  high_school_european_history: 165,
  business_ethics: 100,
  moral_disputes: 346,
  high_school_statistics: 216,
  miscellaneous: 783,
  formal_logic: 126,
  high_school_government_and_politics: 193,
  prehistory: 324,
  security_studies: 245,
  high_school_biology: 310,
  logical_fallacies: 163,
  high_school_world_history: 237,
  professional_medicine: 272,
  high_school_mathematics: 270,
  college_medicine: 173,
  high_school_us_history: 204,
  sociology: 201,
  econometrics: 114,
  high_school_psychology: 545,
  human_aging: 223,
  us_foreign_policy: 100,
  conceptual_physics: 235,
};
/** CMMLU subject → subcategories (OpenCompass's `subcategories`). */
const CMMLU_SUBCATEGORIES: Record<string, readonly string[]> = {
  agronomy: ['other'],
  anatomy: ['biology'],
  ancient_chinese: ['linguistics', 'china specific'],
  arts: ['arts'],
  astronomy: ['physics'],
  business_ethics: ['business'],
  chinese_civil_service_exam: ['politics', 'china specific'],
  chinese_driving_rule: ['other', 'china specific'],
  chinese_food_culture: ['culture', 'china specific'],
  chinese_foreign_policy: ['politics', 'china specific'],
  chinese_history: ['history', 'china specific'],
  chinese_literature: ['literature', 'china specific'],
  chinese_teacher_qualification: ['education', 'china specific'],
  college_actuarial_science: ['math'],
  college_education: ['education'],
  college_engineering_hydrology: ['engineering'],
  college_law: ['law'],
  college_mathematics: ['math'],
  college_medical_statistics: ['statistics'],
  clinical_knowledge: ['other'],
  college_medicine: ['other'],
  computer_science: ['computer science'],
  computer_security: ['other'],
  conceptual_physics: ['physics'],
  construction_project_management: ['other', 'china specific'],
  economics: ['economics'],
  education: ['education'],
  elementary_chinese: ['linguistics', 'china specific'],
  elementary_commonsense: ['other', 'china specific'],
  elementary_information_and_technology: ['other'],
  electrical_engineering: ['engineering'],
  elementary_mathematics: ['math'],
  ethnology: ['culture', 'china specific'],
  food_science: ['other'],
  genetics: ['biology'],
  global_facts: ['global'],
  high_school_biology: ['biology'],
  high_school_chemistry: ['chemistry'],
  high_school_geography: ['geography'],
  high_school_mathematics: ['math'],
  high_school_physics: ['physics'],
  high_school_politics: ['politics', 'china specific'],
  human_sexuality: ['other'],
  international_law: ['law'],
  journalism: ['sociology'],
  jurisprudence: ['law'],
  legal_and_moral_basis: ['other'],
  logical: ['philosophy'],
  machine_learning: ['computer science'],
  management: ['business'],
  marketing: ['business'],
  marxist_theory: ['philosophy'],
  modern_chinese: ['linguistics', 'china specific'],
  nutrition: ['other'],
  philosophy: ['philosophy'],
  professional_accounting: ['business'],
  professional_law: ['law'],
  professional_medicine: ['other'],
  professional_psychology: ['psychology'],
  public_relations: ['politics'],
  security_study: ['politics'],
  sociology: ['culture'],
  sports_science: ['other'],
  traditional_chinese_medicine: ['other', 'china specific'],
  virology: ['biology'],
  world_history: ['history'],
  world_religions: ['global'],
};
/** Category → the subcategories it takes (OpenCompass's `categories`). */
const CMMLU_CATEGORIES: Record<string, readonly string[]> = {
  STEM: ['physics', 'chemistry', 'biology', 'computer science', 'math', 'engineering', 'statistics'],
  Humanities: ['history', 'philosophy', 'law', 'arts', 'literature', 'global'],
  'Social Science': ['linguistics', 'business', 'politics', 'culture', 'economics', 'geography', 'psychology', 'education', 'sociology'],
  Other: ['other'],
  'China specific': ['china specific'],
};
const CEVAL_STEM = [
  'computer_network',
  'operating_system',
  'computer_architecture',
  'college_programming',
  'college_physics',
  'college_chemistry',
  'advanced_mathematics',
  'probability_and_statistics',
  'discrete_mathematics',
  'electrical_engineer',
  'metrology_engineer',
  'high_school_mathematics',
  'high_school_physics',
  'high_school_chemistry',
  'high_school_biology',
  'middle_school_mathematics',
  'middle_school_biology',
  'middle_school_physics',
  'middle_school_chemistry',
  'veterinary_medicine',
];
const CEVAL_SOCIAL_SCIENCE = [
  'college_economics',
  'business_administration',
  'marxism',
  'mao_zedong_thought',
  'education_science',
  'teacher_qualification',
  'high_school_politics',
  'high_school_geography',
  'middle_school_politics',
  'middle_school_geography',
];
const CEVAL_HUMANITIES = [
  'modern_chinese_history',
  'ideological_and_moral_cultivation',
  'logic',
  'law',
  'chinese_language_and_literature',
  'art_studies',
  'professional_tour_guide',
  'legal_professional',
  'high_school_chinese',
  'high_school_history',
  'middle_school_history',
];
const CEVAL_OTHER = [
  'civil_servant',
  'sports_science',
  'plant_protection',
  'basic_medicine',
  'clinical_medicine',
  'urban_and_rural_planner',
  'accountant',
  'fire_engineer',
  'environmental_impact_assessment_engineer',
  'tax_accountant',
  'physician',
];
const CEVAL_HARD = [
  'advanced_mathematics',
  'discrete_mathematics',
  'probability_and_statistics',
  'college_chemistry',
  'college_physics',
  'high_school_mathematics',
  'high_school_chemistry',
  'high_school_physics',
];
// OpenCompass's groups/bbh.py lists the multiple-choice tasks, then the free-form ones: the same two lists the extractor uses.
const BBH_ORDER = [...BBH_MCQ_TASKS, ...BBH_FREEFORM_TASKS];

const prefixed = (prefix: string, subjects: readonly string[]) => subjects.map((s) => prefix + s);

export const MMLU_ABBR_PREFIX = 'lukaemon_mmlu_';
const mmluAll = [...MMLU_HUMANITIES, ...MMLU_STEM, ...MMLU_SOCIAL_SCIENCE, ...MMLU_OTHER];
export const MMLU_GROUPS: readonly SummaryGroup[] = [
  { name: 'mmlu', subsets: prefixed(MMLU_ABBR_PREFIX, mmluAll) },
  { name: 'mmlu-humanities', subsets: prefixed(MMLU_ABBR_PREFIX, MMLU_HUMANITIES) },
  { name: 'mmlu-stem', subsets: prefixed(MMLU_ABBR_PREFIX, MMLU_STEM) },
  { name: 'mmlu-social-science', subsets: prefixed(MMLU_ABBR_PREFIX, MMLU_SOCIAL_SCIENCE) },
  { name: 'mmlu-other', subsets: prefixed(MMLU_ABBR_PREFIX, MMLU_OTHER) },
  {
    name: 'mmlu-weighted',
    subsets: prefixed(MMLU_ABBR_PREFIX, mmluAll),
    weights: Object.fromEntries(Object.entries(MMLU_WEIGHTS).map(([k, v]) => [MMLU_ABBR_PREFIX + k, v])),
  },
];

/**
 * CMMLU's categories come from its subcategories, built the way cmmlu.py builds `category2subject`:
 * for each category, every subject (in subcategory order) one of whose subcategories the category
 * takes. A subject can sit in two categories (`ancient_chinese`: Social Science and China specific).
 */
function cmmluCategory(category: string): string[] {
  const takes = CMMLU_CATEGORIES[category];
  const out: string[] = [];
  for (const [subject, subcats] of Object.entries(CMMLU_SUBCATEGORIES)) for (const c of subcats) if (takes.includes(c)) out.push(subject);
  return out;
}
export const CMMLU_ABBR_PREFIX = 'cmmlu-';
export const CMMLU_GROUPS: readonly SummaryGroup[] = [
  { name: 'cmmlu', subsets: prefixed(CMMLU_ABBR_PREFIX, Object.keys(CMMLU_SUBCATEGORIES)) },
  { name: 'cmmlu-humanities', subsets: prefixed(CMMLU_ABBR_PREFIX, cmmluCategory('Humanities')) },
  { name: 'cmmlu-stem', subsets: prefixed(CMMLU_ABBR_PREFIX, cmmluCategory('STEM')) },
  { name: 'cmmlu-social-science', subsets: prefixed(CMMLU_ABBR_PREFIX, cmmluCategory('Social Science')) },
  { name: 'cmmlu-other', subsets: prefixed(CMMLU_ABBR_PREFIX, cmmluCategory('Other')) },
  { name: 'cmmlu-china-specific', subsets: prefixed(CMMLU_ABBR_PREFIX, cmmluCategory('China specific')) },
];

/** C-Eval names val-split subjects `ceval-<subject>` and test-split ones `ceval-test-<subject>`, with the same groups for each. */
function cevalGroups(prefix: string): SummaryGroup[] {
  const name = prefix.slice(0, -1);
  return [
    { name, subsets: prefixed(prefix, [...CEVAL_STEM, ...CEVAL_SOCIAL_SCIENCE, ...CEVAL_HUMANITIES, ...CEVAL_OTHER]) },
    { name: `${name}-stem`, subsets: prefixed(prefix, CEVAL_STEM) },
    { name: `${name}-social-science`, subsets: prefixed(prefix, CEVAL_SOCIAL_SCIENCE) },
    { name: `${name}-humanities`, subsets: prefixed(prefix, CEVAL_HUMANITIES) },
    { name: `${name}-other`, subsets: prefixed(prefix, CEVAL_OTHER) },
    { name: `${name}-hard`, subsets: prefixed(prefix, CEVAL_HARD) },
  ];
}
export const CEVAL_GROUPS: readonly SummaryGroup[] = [...cevalGroups('ceval-'), ...cevalGroups('ceval-test-')];

export const BBH_ABBR_PREFIX = 'bbh-';
export const BBH_GROUPS: readonly SummaryGroup[] = [{ name: 'bbh', subsets: prefixed(BBH_ABBR_PREFIX, BBH_ORDER) }];
