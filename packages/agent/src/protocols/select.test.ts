import { describe, expect, it } from 'vitest';
import { chooseProtocol, makeProtocol } from './select.js';

describe('protocol choice', () => {
  it('explicit, then per model, then by endpoint', () => {
    expect(chooseProtocol({ model: 'm', api: 'completions' }).name).toBe('internlm2');
    expect(chooseProtocol({ model: 'm', api: 'chat' }).name).toBe('openai');
    expect(chooseProtocol({ model: 'qwen', api: 'chat', perModel: { qwen: 'react' } }).name).toBe('react');
    expect(chooseProtocol({ model: 'qwen', api: 'chat', perModel: { qwen: 'react' }, explicit: 'internlm2' }).name).toBe('internlm2');
    expect(() => makeProtocol('xml')).toThrow(expect.objectContaining({ code: 'AGENT_BAD_PROTOCOL' }));
  });
});
