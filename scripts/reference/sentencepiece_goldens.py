#!/usr/bin/python3
"""Golden ids for the SentencePiece parity test (run with /usr/bin/python3, which has sentencepiece).

Builds test lines (English, code, math, digits, emoji, odd whitespace, synthetic Chinese and
other scripts) and records what the reference `sentencepiece` library does with them on the
real InternLM2 tokenizer.model:
  - ids      : sp.encode(text)                               (the model as shipped)
  - decoded  : sp.decode(ids)
  - ids_dp   : ids from a variant with add_dummy_prefix=true and remove_extra_whitespaces=true
               (byte-patched NormalizerSpec; exercises the normalizer paths InternLM2 turns off)
plus decode cases: random id sequences (byte pieces in odd orders, control, unk) → sp.decode.

Sources: gsm8k, humaneval, math, mmlu, arc, bbh, paulgraham-essays (MIT / Apache-2.0; see each
SOURCE.md). CMMLU is CC BY-NC-SA, so no CMMLU text goes into this committed fixture; Chinese
lines are written here or composed from the tokenizer's own Chinese pieces.

Usage: /usr/bin/python3 scripts/reference/sentencepiece_goldens.py [--model PATH] [--out PATH]
"""
import argparse
import csv
import glob
import gzip
import json
import os
import random

import sentencepiece as spm

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(ROOT, '..', 'shared', 'datasets')
DEFAULT_MODEL = os.path.join(ROOT, '..', 'shared', 'models', 'internlm2-tokenizer', 'tokenizer.model')
DEFAULT_OUT = os.path.join(ROOT, 'packages', 'formats', 'src', 'tokenizer', 'fixtures', 'internlm2-goldens.jsonl.gz')

# The InternLM2 model ends with its NormalizerSpec: name "identity", empty charsmap,
# add_dummy_prefix=false (field 3), remove_extra_whitespaces=false (field 4).
NORMALIZER_TAIL = b'\x1a\x10\n\x08identity\x12\x00\x18\x00 \x00'
PATCHED_TAIL = b'\x1a\x10\n\x08identity\x12\x00\x18\x01 \x01'

CHINESE = [
    '书生·浦语是上海人工智能实验室发布的大语言模型。',
    '今天天气很好，我们去公园散步吧！',
    '请把下面这段话翻译成英文：“学而时习之，不亦说乎？”',
    '第三章 线性代数基础（矩阵、向量与特征值）',
    '他说：「这个问题我们明天再讨论。」',
    '价格为￥1,299.00元，折扣后仅需９９９元。',
    '北京时间2024年3月15日上午10点30分',
    '鱻龘靐齉爩麤 这些是罕见汉字',
    '　　段落开头的两个全角空格是中文排版的习惯。',
    '数据→清洗→去重→过滤→分词→打包',
    '《红楼梦》是中国古典四大名著之一。',
    '如果 x＝３，那么 2x＋1 等于多少？',
    '机器学习（Machine Learning，ML）是人工智能的一个分支。',
    '你好，世界！Hello, 世界! こんにちは世界',
    '——破折号和……省略号',
    '𠀀𠀁𠀂 扩展B区汉字 𪚥𰻞',
]

SYNTHETIC = [
    '', ' ', '  ', '\t', '\n', '\r\n', ' \t \n ', 'a', ' a', 'a ', '  a  b  ', 'a\tb\t\tc',
    'trailing spaces   ', '   leading spaces', 'multiple     internal      spaces',
    '\u3000\u3000full-width indent', 'zero\u200bwidth\u200cjoin\u200dchars', '\ufeffBOM at start', 'BOM\ufeffinside',
    'e\u0301 n\u0303 a\u0308 combining', 'Ｆｕｌｌｗｉｄｔｈ　ＬＥＴＴＥＲＳ　１２３', 'ﬁ ﬂ ligatures ㎏ ㎡ ①②③ Ⅻ',
    '😀😃😄 emoji 👨‍👩‍👧‍👦 family 🇨🇳🇺🇸 flags 👍🏽 skin', '🦀🐍🐘 animals', '\U0001F9D1\u200d\U0001F4BB',
    '1234567890', '3.14159265358979', '1,000,000', '2024-03-15T10:30:00Z', '0x7fffffff', '١٢٣٤ Arabic digits',
    'def f(x):\n    return x ** 2\n', 'for (let i = 0; i < n; i++) {\n\tsum += a[i];\n}',
    '<s>', '</s>', '<unk>', '<s>hello</s>', '[UNUSED_TOKEN_0]', '[UNUSED_TOKEN_141][UNUSED_TOKEN_146]x',
    '<|im_start|>user\nhi<|im_end|>', '<|plugin|><|interpreter|><|action_start|><|action_end|>',
    '<0x41>', '\u2581already escaped\u2581', '\ufffd replacement', '\ue000\uf8ff private use',
    '\x01\x02\x7f control', 'العربية', 'हिन्दी', 'ภาษาไทย', '한국어 텍스트', 'Ελληνικά', 'русский текст',
    'ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｃｏｍ', 'mixed中文and English混合', '$\\frac{a}{b}$ and $\\sum_{i=1}^n i^2$',
    'a' * 300, ' ' * 50 + 'x', '中' * 200, '😀' * 40, 'ab' * 150, '——' * 10, '…' * 9,
]


def take(seq, n, rng):
    seq = list(seq)
    rng.shuffle(seq)
    return seq[:n]


def dataset_lines(rng):
    lines = []
    def jsonl(path):
        with open(path, encoding='utf-8') as f:
            return [json.loads(l) for l in f if l.strip()]
    for r in take(jsonl(os.path.join(DATA, 'gsm8k', 'test.jsonl')), 250, rng):
        lines += [r['question'], r['answer']]
    for r in take(jsonl(os.path.join(DATA, 'humaneval', 'HumanEval.jsonl')), 80, rng):
        lines.append(r['prompt'])
        lines += [l for l in r['canonical_solution'].split('\n') if l.strip()][:3]
    for r in take(jsonl(os.path.join(DATA, 'math', 'test.jsonl')), 250, rng):
        lines += [r['problem'], r['solution']]
    for r in take(jsonl(os.path.join(DATA, 'arc', 'ARC-Challenge-Test.jsonl')), 100, rng):
        lines.append(r['question']['stem'])
    rows = []
    for p in sorted(glob.glob(os.path.join(DATA, 'mmlu', 'test', '*.csv'))):
        with open(p, encoding='utf-8', newline='') as f:
            rows += list(csv.reader(f))[1:]
    for r in take(rows, 250, rng):
        lines.append(r[0])
    bbh = []
    for p in sorted(glob.glob(os.path.join(DATA, 'bbh', 'data', '*.json'))):
        with open(p, encoding='utf-8') as f:
            bbh += [e['input'] for e in json.load(f)['examples']]
    lines += take(bbh, 100, rng)
    pg = []
    for p in sorted(glob.glob(os.path.join(DATA, 'paulgraham-essays', '*.txt')))[:40]:
        with open(p, encoding='utf-8') as f:
            pg += [l for l in f.read().split('\n') if l.strip()]
    lines += take(pg, 150, rng)
    return lines


def chinese_lines(sp, rng, n):
    """Compose Chinese text from the vocabulary's own CJK pieces plus random CJK code points."""
    cjk = [p for p in (sp.id_to_piece(i) for i in range(sp.get_piece_size()))
           if p and all('\u4e00' <= c <= '\u9fff' for c in p)]
    punct = list('，。！？、；：“”（）《》【】—…·') + [' ', '\u3000', '\n']
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(3, 25)):
            r = rng.random()
            if r < 0.7:
                parts.append(rng.choice(cjk))
            elif r < 0.8:
                parts.append(chr(rng.randint(0x4e00, 0x9fff)))
            elif r < 0.83:
                parts.append(chr(rng.randint(0x20000, 0x2a6df)))
            elif r < 0.9:
                parts.append(str(rng.randint(0, 10 ** rng.randint(1, 6))))
            else:
                parts.append(rng.choice(punct))
        out.append(''.join(parts))
    return out


def perturb(line, rng):
    """Odd whitespace and rare characters spliced into real lines."""
    inserts = ['  ', '\t', ' \u3000', '\u200b', '\n', '   ', 'é', '\u0301', '😀', 'Ａ', '１２', '\u00a0', '——']
    chars = list(line)
    for _ in range(rng.randint(1, 4)):
        chars.insert(rng.randint(0, len(chars)), rng.choice(inserts))
    s = ''.join(chars)
    return ' ' * rng.randint(0, 3) + s + ' ' * rng.randint(0, 3)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', default=DEFAULT_MODEL)
    ap.add_argument('--out', default=DEFAULT_OUT)
    args = ap.parse_args()
    rng = random.Random(20240315)
    model = open(args.model, 'rb').read()
    assert model.endswith(NORMALIZER_TAIL), 'unexpected NormalizerSpec layout; update NORMALIZER_TAIL'
    sp = spm.SentencePieceProcessor(model_proto=model)
    sp_dp = spm.SentencePieceProcessor(model_proto=model[: -len(NORMALIZER_TAIL)] + PATCHED_TAIL)

    ds = dataset_lines(rng)
    lines = SYNTHETIC + CHINESE + ds + chinese_lines(sp, rng, 500)
    lines += [perturb(l, rng) for l in take(ds, 300, rng)]
    lines += [perturb(l, rng) for l in chinese_lines(sp, rng, 100)]
    # Mixed Chinese/English/code lines.
    for _ in range(150):
        lines.append(rng.choice(CHINESE) + ' ' + rng.choice(ds)[:120] + rng.choice(['', '\n', '  ', '\t']) + rng.choice(CHINESE))

    # A few whole documents, so long inputs with many chunk boundaries are covered too.
    docs = ['\n'.join(take(lines, 60, rng)) for _ in range(6)]

    records = []
    for i, text in enumerate(lines + docs):
        ids = sp.encode(text)
        rec = {'text': text, 'ids': ids, 'decoded': sp.decode(ids)}
        if i % 3 == 0 or i < len(SYNTHETIC) + len(CHINESE):
            rec['ids_dp'] = sp_dp.encode(text)
            rec['decoded_dp'] = sp_dp.decode(rec['ids_dp'])
        records.append(rec)

    # Decode-only cases: random byte runs (valid and invalid UTF-8), control/unk, normal pieces.
    n = sp.get_piece_size()
    for _ in range(300):
        ids = []
        for _ in range(rng.randint(1, 12)):
            r = rng.random()
            if r < 0.5:
                ids.append(3 + rng.randint(0, 255))
            elif r < 0.6:
                ids.append(rng.choice([0, 1, 2]))
            else:
                ids.append(rng.randint(259, n - 1))
        records.append({'decode_ids': ids, 'decoded': sp.decode(ids), 'decoded_dp': sp_dp.decode(ids)})

    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with gzip.GzipFile(args.out, 'wb', mtime=0) as f:
        for r in records:
            f.write((json.dumps(r, ensure_ascii=False) + '\n').encode('utf-8'))
    lines += docs
    print(f'{len(lines)} lines + {len(records) - len(lines)} decode cases -> {args.out} ({os.path.getsize(args.out)} bytes)')


if __name__ == '__main__':
    main()
