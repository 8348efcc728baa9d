/**
 * The OpenCompass revision whose answer extraction and equivalence rules `extract/` follows
 * (main branch). The differential goldens (fixtures/opencompass-goldens.jsonl) were produced by
 * scripts/reference/opencompass_postprocess.py, transcribed from this commit; when the rules are
 * moved to a newer commit, update this constant, the Python transcription and the goldens together.
 */
export const OPENCOMPASS_COMMIT = 'a5acc4bba3b658f151617a3b393602110fb7a740';
