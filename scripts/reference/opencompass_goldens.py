#!/usr/bin/python3
"""Goldens for the extraction differential test (Python standard library only).

Generates, from a fixed seed, tricky model outputs for each extractor Puyu carries (letters
named first then others, eliminations, Chinese phrasings, full-width and other Unicode digits,
thousands separators, "The answer is:" variants, trailing clauses, unreduced fractions,
\\boxed{} / \\fbox{} forms, code fences...) and records what OpenCompass's functions, transcribed
in opencompass_postprocess.py, return for them. One JSON object per line:
  {"kind": <extractor>, "input": <output text>, ...context, "out": <OpenCompass result>, ...}

Usage: /usr/bin/python3 scripts/reference/opencompass_goldens.py [--out PATH]   (default: stdout)
The committed file is packages/eval/src/extract/fixtures/opencompass-goldens.jsonl; the slow test
re-runs this script and checks the file is current.
"""
import argparse
import json
import random
import sys

import opencompass_postprocess as oc

PER_KIND = 320
SEED = 20240909

LETTERS = 'ABCDE'
FILLER = [
    'Let me think step by step.', 'First, consider each option.', 'Looking at the question carefully,',
    'Based on the passage,', 'I am fairly sure.', 'This follows from the definition.', '',
    'Option analysis:', '让我们逐步分析。', '根据题意，', 'In summary,', 'Hmm.',
]


def rnd_other(r, letter, options):
    return r.choice([o for o in options if o != letter] or [letter])


def first_option_case(r):
    options = 'ABCD' if r.random() < 0.8 else 'ABCDE'
    a = r.choice(options)
    b = rnd_other(r, a, options)
    c = rnd_other(r, a, options)
    cores = [
        f'The answer is {a}.', f'The answer is: {a}', f'The answer is ({a})', f'The answer is **{a}**',
        f'the answer is: (**{a}**)', f'The correct answer is {a}, not {b}.', f'The correct answer is option {a}.',
        f'The answer is option {a}', f'Answer: {a}', f'ANSWER:{a}', f'answer: {a.lower()}', f'**Answer: {a}**',
        f'The correct answer is $\\boxed{{{a}}}$', f'The correct option is \\boxed{{{a}}}.',
        f'答案是{a}', f'答案是 {a}。', f'答案：{a}', f'答案为{a}', f'答案选{a}', f'答案应该是{a}', f'答案选项为 ({a})',
        f'故选{a}', f'所以选{a}。', f'选项{a}正确', f'{a}是正确的', f'因此{a}。', f'显然{a}', f'只有{a}对',
        f'{a} is wrong. {b} is wrong. So {c}.', f'{b} and {c} are incorrect, leaving {a}', f'Eliminate {b}, {c}; answer {a}',
        f'{a}', f'({a})', f'{a}.', f'{a}: the first one', f'Option {a}', f'1. {a}\n2. {b}', f'Step 1. Rule out {b}; {a} stays.',
        f'I choose {a} because {b} is false and {c} too', f'{a} {b}', f'between {b} and {a}, {a}',
        f'The answer to the question is {a}', f'Therefore, the answer is {a}. Note {b} is close.',
        f'{a}选项', f'选项 {a}', f'There are 10 options; {a}', 'None of these.', 'I do not know',
        f'The answer is {a}, though {b} and {c} were considered in 2. and 1.', f'{a}，{b}',
        f'答案是：\n{a}', f'答案 {a}', f'所以{a}', f'the answer is {a.lower()}', f'Answer :  ({a})',
    ]
    parts = [r.choice(FILLER), r.choice(cores)]
    if r.random() < 0.5:
        parts.append(r.choice([f'Note that {b} is tempting.', f'{b} and {c} are wrong.', f'(not {b})', '2. Other',
                               f'但{b}不对。', 'Hope this helps!', '', f'Options {b}/{c} fail.']))
    sep = r.choice([' ', '\n', '\n\n', ''])
    text = sep.join(p for p in parts if p)
    if r.random() < 0.2:
        text = r.choice(['  ', '\n', '\t', '\u3000']) + text + r.choice([' ', '\n', '\u3000', '\x85'])
    cushion = r.random() < 0.85
    return {'input': text, 'options': options, 'cushion': cushion,
            'out': oc.first_option_postprocess(text, options, cushion)}


CAP_POOL = list('abcdefxyz ,.;:!?0123456789-_()') + [
    'é', 'É', 'ß', 'Σ', 'ς', 'σ', 'ǅ', 'ǆ', 'Ǆ', 'Ⅳ', 'ⅳ', 'Ⓐ', 'ⓐ', '𝐀', '𝐚', 'ϒ', 'İ', 'ı', 'ſ', '中', '文',
    'Ａ', 'ａ', 'K', 'ª', 'ᵃ', 'ℍ', 'ℎ', 'Ω', 'ω', 'Я', 'я', '\u0345', '🙂', '\n', 'A', 'B', 'Z', 'Q']


def first_capital_case(r):
    n = r.randint(0, 14)
    weights = [6 if c.islower() or not c.isalpha() else 2 for c in CAP_POOL]
    text = ''.join(r.choices(CAP_POOL, weights=weights, k=n))
    if r.random() < 0.3:
        text = r.choice(['the answer is ', 'answer: ', '答案是', '']) + text
    return {'input': text, 'out': oc.first_capital_postprocess(text)}


DIGITS = {'ascii': '0123456789', 'full': '０１２３４５６７８９', 'arabic': '٠١٢٣٤٥٦٧٨٩', 'deva': '०१२३४५६७८९'}


def num_text(r, value, style='ascii'):
    return ''.join(DIGITS[style][int(ch)] if ch.isdigit() else ch for ch in value)


def gsm8k_case(r):
    gold_v = r.randint(0, 5000)
    gold_raw = f'{gold_v:,}' if r.random() < 0.5 else str(gold_v)
    answer = f'Work shown here.\n#### {gold_raw}'
    gold = oc.gsm8k_dataset_postprocess(answer)
    style = r.choices(list(DIGITS), weights=[6, 2, 1, 1])[0]
    v = r.choice([str(gold_v), f'{gold_v:,}', f'{gold_v}.00', f'{gold_v}.5', f'-{gold_v}', f'0{gold_v}',
                  str(gold_v + 1), f'{gold_v}.', f'.{gold_v}', f'{gold_v}e2', f'{gold_v}.0.1'])
    v = num_text(r, v, style)
    tails = ['', '.', ' dollars.', '!', ' (approximately)', '\n\nQuestion: Tom has 3 apples and 4 pears.',
             ' because 2 + 3 = 5', '\nQuestion: 12 more', ' 🍎', '%']
    heads = ['', 'She has 3 boxes of 12 eggs, so 36 eggs. ', 'Step 1: 5 * 4 = 20\n', '答案是', '#### ',
             'The answer is ', 'So the final answer is \\boxed{', 'Total = $', '１２ + ３ = ', 'From -3 to 7: ']
    text = r.choice(heads) + v + r.choice(tails)
    if r.random() < 0.1:
        text = r.choice(['I cannot solve this.', 'Question: 5 apples?', 'no digits here', '－５'])
    out = oc.gsm8k_postprocess(text)
    return {'input': text, 'answer': answer, 'gold': gold, 'out': out, 'equal': oc.gsm8k_is_equal(out, gold)}


MATH_GOLDS = ['\\frac{1}{2}', '5', '-3', '\\frac{3}{4}', '2\\sqrt{3}', '(3,\\frac{\\pi}{2})', '\\text{Evelyn}', '1000',
              '0.5', '\\{1,2\\}', '(-\\infty,0)', '30^\\circ', '\\dfrac{7}{8}', 'x^2+1', '\\frac{\\sqrt{2}}{2}', '12\\%',
              '[0,1)', '\\$1,\\!000', '2i', '\\pi', '10', '3/4', '\\text{(C)}', '7']
MATH_PREDS = ['\\frac{1}{2}', '\\frac12', '\\dfrac{1}{2}', '\\frac{2}{4}', '2/4', '1/2', '0.5', '.5', '0.50', '\\tfrac{1}{2}',
              '5', '5.00', '5.0', '05', '5 \\text{ inches}', '\\text{5}', '{5}', 'x = 5', 'k=5', '\\$5', '5\\%', '5%',
              '-3', '- 3', '-3.0', '\\frac34', '3/4', '6/8', '0.75', '\\frac{3}{4}', '2\\sqrt3', '2 \\sqrt{3}', '2\\sqrt{3}',
              '\\sqrt{12}', '(3, \\frac{\\pi}{2})', '\\left(3,\\frac{\\pi}{2}\\right)', 'Evelyn', '\\text{Evelyn}',
              '1,000', '1000', '\\$1,000', '1{,}000', '１０００', '\\{1, 2\\}', '(-\\infty, 0)', '(-inf, 0)',
              '30^{\\circ}', '30', '30 degrees', '\\frac{7}{8}', '7/8', '0.875', 'x^2 + 1', '\\frac{\\sqrt2}{2}',
              '12', '12\\%', '[0, 1)', '2j', '2i', '\\pi', '10', '\\frac{10}{1}', '1_0/3', ' 3/4', '٣/4', '(C)', 'C', '7.',
              '7', '', '\\mbox{7}', '7 \\text{ cm}']


def math_case(r):
    gold = r.choice(MATH_GOLDS)
    pred = gold if r.random() < 0.35 else r.choice(MATH_PREDS)
    forms = [
        f'So the final answer is $\\boxed{{{pred}}}$.', f'The answer is \\boxed{{{pred}}}', f'\\boxed{{{{{pred}}}}}',
        f'Hence \\fbox{{{pred}}}', f'The answer is \\boxed {pred}', f'Final Answer: The final answer is ${pred}$. I hope it is correct.',
        f'The answer is {pred}.', f'First \\boxed{{1}} then \\boxed{{{pred}}}', f'Unclosed \\boxed{{{pred}',
        f'We get {pred}. So the answer is {pred}', f'{pred}', f'Therefore x = {pred}', f'The final answer is: {pred}',
        f'Thus, the answer is ${pred}$ dollars.', f'答案是 \\boxed{{{pred}}}', f'\\boxed{{}} and {pred}',
        f'The answer is $\\boxed{{\\text{{{pred}}}}}$.', f'the final answer is {pred} meters',
    ]
    text = r.choice(forms)
    gold_field = None if r.random() < 0.03 else gold
    out = oc.math_postprocess_v2(text)
    return {'input': text, 'gold': gold_field, 'out': out, 'equal': oc.math_is_equiv_v2(out, gold_field)}


def bbh_mcq_case(r):
    a = r.choice('ABCDEFGHIJKLMNOPQR')
    b = r.choice('ABCDEFG')
    target = f'({a})' if r.random() < 0.9 else r.choice(['dearth, wind, & fire', 'rita, sue and bob poo', 'Yes'])
    forms = [
        f'So the answer is ({a}).', f'So the answer is {a}.', f'So the answer is ({a}) {b}', f'answer is  ({a})',
        f'the answer is ({a.lower()}).', f'The answer is: ({a})', f'The answer is option ({a})', f'({b}) is wrong; ({a}) is right.',
        f'So the answer is {target}.', f'So the answer is {target}', f'So the Answer is ({a}).',
        f'Thus answer is ({a}). But another answer is ({b}).', f'Options: (A) x (B) y. So the answer is (({a})).',
        f'Let us think. {b} fails. So the answer is {a.lower()}.', 'I am not sure.', f'answer is ',
        f'(({a})', f'So the answer is **({a})**.', f'So the answer is \n({a})',
    ]
    text = r.choice(FILLER[:6]) + ' ' + r.choice(forms)
    out = oc.bbh_mcq_postprocess(text)
    gold = oc.bbh_mcq_postprocess(target)
    return {'input': text, 'target': target, 'out': out, 'gold': gold, 'equal': out == gold}


FREE_TARGETS = ['Yes', 'No', 'True', 'False', 'valid', 'invalid', '24', '-12', '0', 'apple banana cherry',
                ') ] }', '> ) ]', 'alpha beta gamma', '5', 'yes', 'no']
FREE_PREDS = ['Yes', 'yes', 'YES', 'No', 'no', 'nO', 'True', 'true', 'FALSE', 'False', 'valid', 'Valid', 'invalid',
              'Invalid', '24', '24.', '-12', '- 12', '0', 'apple, banana, cherry', 'apple,banana , cherry',
              'apple banana  cherry', ') ] }', ')]}', '> ) ]', 'alpha, beta, gamma', '1, 2', '1,000', '5', 'five',
              'yesterday', 'Yes, because it is', 'No. It is not', 'True and False', 'False, obviously',
              '**Yes**', '**apple, banana**', 'Straße', 'STRASSE']


def bbh_freeform_case(r):
    target = r.choice(FREE_TARGETS)
    pred = target if r.random() < 0.3 else r.choice(FREE_PREDS)
    forms = [
        f'So the answer is {pred}.', f'So the answer is: {pred}', f'The Answer Is {pred}', f'ANSWER IS:{pred}',
        f'answer is   :  {pred}\nMore text after.', f'The answer is {pred}. So the answer is {pred}, really',
        f'answer is wrong here. Final answer is {pred}', f'{pred}', f'So the answer is **{pred}**.',
        f"Let's think step by step.\nStep 1...\nSo the answer is {pred}.", f'So the answer is {pred}.\n\nQ: next',
        f'So the answer is {pred}, which follows.', f'So the answer is {pred} because of the rules',
        f'answer is\n{pred}', f'the answer is {pred}..', f'So the answer is {pred}\u3000.',
    ]
    text = r.choice(forms)
    out = oc.bbh_freeform_postprocess(text)
    gold = oc.bbh_freeform_postprocess(target)
    return {'input': text, 'target': target, 'out': out, 'gold': gold, 'equal': oc.bbh_freeform_equal(text, target)}


HE_PROMPT = 'def add(a, b):\n    """Add two numbers."""\n'
HE_TEST = 'def check(candidate):\n    assert candidate(2, 3) == 5\n'
HE_BODIES = ['    return a + b\n', 'return a + b', 'def add(a, b):\n    return a + b\n',
             'import math\n\ndef add(a, b):\n    return a + b\n', '\n\n    return a+b\n', '    x = a\n    return x + b']


def humaneval_case(r):
    body = r.choice(HE_BODIES)
    other = r.choice(HE_BODIES)
    lang = r.choice(['python', '', 'py', 'Python3', 'питон', 'c++', 'python ', 'python\r'])
    forms = [
        body, f'```{lang}\n{body}```', f'Here you go:\n```{lang}\n{body}```\nDone.', f'```{lang}\n{body}',
        f'```{lang}\n{body}```\nand\n```python\n{other}```', f'``` {lang}\n{body}```', f'```{lang}{body}```',
        f'Sure!\n\n```{lang}\n{body}\n```\n```\n{other}```', f'\n\n{body}', f'\x85\u3000{body}', f'```\n```{lang}\n{body}```',
        f'{body}\n```', f'~~~python\n{body}~~~', f'\ufeff{body}',
    ]
    text = r.choice(forms)
    out = oc.humaneval_postprocess_v2(text)
    return {'input': text, 'out': out, 'program': oc.humaneval_program(HE_PROMPT, out, HE_TEST, 'add')}


HE_BASE_BODIES = HE_BODIES + ['   return a + b\n', '    return a + b\n\n\nprint(add(1, 2))', '    return a + b\n```\nmore',
                               '    y = 1\n\n    return a + b\ndef other():\n    pass', '\n    return a + b', '']


HE_BASE_LINES = ['return a + b', 'x = a', 'return x + b', 'if a:', 'pass', '# add them', 'y = [a,', 'b]', 'return sum(y)', '"""doc"""']


def humaneval_base_case(r):
    # A base (completion) model continues the prompt: indented bodies (3-space ones included),
    # blank-line runs, stray top-level code and fences after the body.
    if r.random() < 0.3:
        body = r.choice(HE_BASE_BODIES)
    else:
        lines = []
        for _ in range(r.randint(1, 5)):
            lines.append(' ' * r.choice([0, 2, 3, 4, 4, 4, 8]) + r.choice(HE_BASE_LINES))
            if r.random() < 0.2:
                lines.append('' if r.random() < 0.5 else '\n')
        body = '\n'.join(lines)
    tail = r.choice(['', '\n', '\n\n\n# test', '\nif __name__ == "__main__":\n    pass', '\n```', '\n```\nText.', '\n\n\n',
                     '\nclass X:\n    pass', '\ndef add2(a):\n    return a'])
    text = body + tail
    out = oc.humaneval_internal_v2_postprocess(text)
    return {'input': text, 'out': out, 'program': oc.humaneval_program(HE_PROMPT, out, HE_TEST, 'add')}


KINDS = [('first-option', first_option_case), ('first-capital', first_capital_case), ('gsm8k', gsm8k_case),
         ('math', math_case), ('bbh-mcq', bbh_mcq_case), ('bbh-freeform', bbh_freeform_case),
         ('humaneval', humaneval_case), ('humaneval-base', humaneval_base_case)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default=None)
    args = ap.parse_args()
    lines = []
    for kind, make in KINDS:
        r = random.Random(f'{SEED}:{kind}')
        seen = set()
        attempts = 0
        while sum(1 for l in lines if l['kind'] == kind) < PER_KIND and attempts < PER_KIND * 50:
            attempts += 1
            case = make(r)
            key = json.dumps(case, ensure_ascii=False, sort_keys=True)
            if key in seen:
                continue
            seen.add(key)
            lines.append({'kind': kind, **case})
    header = {'kind': 'meta', 'commit': oc.OPENCOMPASS_COMMIT, 'seed': SEED, 'perKind': PER_KIND}
    text = '\n'.join(json.dumps(l, ensure_ascii=False) for l in [header] + lines) + '\n'
    if args.out:
        with open(args.out, 'w', encoding='utf-8') as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == '__main__':
    main()
