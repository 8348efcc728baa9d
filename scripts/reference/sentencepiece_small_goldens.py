#!/usr/bin/python3
"""Goldens for small SentencePiece models trained here (run with /usr/bin/python3).

Trains a few tiny models that cover what the InternLM2 model does not: unigram, the
nmt_nfkc precompiled charsmap, no byte fallback (so <unk>), user-defined
symbols, remove_extra_whitespaces / add_dummy_prefix on, treat_whitespace_as_suffix.
Writes each model (base64) with lines and their python sentencepiece ids and decodes to
packages/formats/src/tokenizer/fixtures/spm-small-goldens.json.gz.
Training text: GSM8K questions + MMLU questions (MIT) and the synthetic Chinese lines of
sentencepiece_goldens.py; test lines come from the same helpers as the InternLM2 goldens.
"""
import base64
import gzip
import io
import json
import os
import random
import sys

import sentencepiece as spm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sentencepiece_goldens import CHINESE, DATA, ROOT, SYNTHETIC, dataset_lines, perturb, take  # noqa: E402

OUT = os.path.join(ROOT, 'packages', 'formats', 'src', 'tokenizer', 'fixtures', 'spm-small-goldens.json.gz')

MODELS = {
    'unigram-nmt_nfkc-bytes': dict(model_type='unigram', vocab_size=900, byte_fallback=True,
                                   user_defined_symbols=['<sep>', '——', 'ＡＢ']),
    # One charsmap model is enough to cover the normalizer (it is shared by both model types)
    # and each charsmap adds ~150 KB to the fixture, so the BPE models use identity.
    'bpe-identity-unk': dict(model_type='bpe', vocab_size=900, normalization_rule_name='identity',
                             user_defined_symbols=['<sep>', '[MASK]']),
    'unigram-identity-suffix': dict(model_type='unigram', vocab_size=900, normalization_rule_name='identity',
                                    treat_whitespace_as_suffix=True, byte_fallback=True),
    'bpe-identity-dummy': dict(model_type='bpe', vocab_size=900, normalization_rule_name='identity',
                               split_digits=True, byte_fallback=True, control_symbols=['<ctl>']),
}


def main():
    rng = random.Random(7)
    with open(os.path.join(DATA, 'gsm8k', 'train.jsonl'), encoding='utf-8') as f:
        train = [json.loads(l)['question'] for l in f][:2500]
    train += CHINESE * 20
    ds = dataset_lines(random.Random(3))
    lines = SYNTHETIC + CHINESE + [l[:300] for l in take(ds, 150, rng)]
    lines += [perturb(l[:200], rng) for l in take(ds, 60, rng)]
    lines += ['a<sep>b', '<sep><sep>', ' <sep> x', 'ＡＢＣ', 'ａｂ ＡＢ', '[MASK] is [MASK]', 'x <ctl> y',
              'Ⅻ ㍻ ﬁ ｶﾀｶﾅ ①', 'ǅ ß ẞ ΣΑΣ', '\u00a0nbsp\u00a0', 'e\u0301\u0301', '\u3000\u3000x\u3000']
    out = {}
    for name, kw in MODELS.items():
        buf = io.BytesIO()
        spm.SentencePieceTrainer.train(sentence_iterator=iter(train), model_writer=buf, minloglevel=2, **kw)
        model = buf.getvalue()
        sp = spm.SentencePieceProcessor(model_proto=model)
        cases = []
        for text in lines:
            ids = sp.encode(text)
            cases.append({'text': text, 'ids': ids, 'decoded': sp.decode(ids)})
        n = sp.get_piece_size()
        for _ in range(40):
            ids = [rng.randrange(n) for _ in range(rng.randint(1, 10))]
            cases.append({'decode_ids': ids, 'decoded': sp.decode(ids)})
        out[name] = {'model': base64.b64encode(model).decode('ascii'), 'cases': cases}
        print(name, len(model), 'bytes,', len(cases), 'cases')
    with gzip.GzipFile(OUT, 'wb', mtime=0) as f:
        f.write(json.dumps(out, ensure_ascii=False).encode('utf-8'))
    print('->', OUT, os.path.getsize(OUT), 'bytes')


if __name__ == '__main__':
    main()
