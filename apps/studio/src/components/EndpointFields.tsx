import { type UseQueryResult, useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { getJson } from '../api';

/** One OpenAI-compatible endpoint the Studio knows of (GET /api/chat/endpoints). */
export interface EndpointInfo {
  url: string;
  models: string[];
  error?: string;
}

export interface EndpointChoice {
  endpoints: UseQueryResult<{ endpoints: EndpointInfo[] }>;
  endpoint: string;
  setEndpoint(url: string): void;
  model: string;
  setModel(model: string): void;
  /** The chosen endpoint's entry, when it is one the Studio lists. */
  current?: EndpointInfo;
  /** The user is at the fields (focus or typing): the defaults no longer overwrite them. */
  touch(): void;
}

/**
 * The endpoint and model a page talks to: the Studio's known endpoints, defaulting to the first
 * one and its first model once they load, and free text otherwise (any OpenAI server works).
 */
export function useEndpointChoice(): EndpointChoice {
  const endpoints = useQuery({
    queryKey: ['chat-endpoints'],
    queryFn: () => getJson<{ endpoints: EndpointInfo[] }>('/api/chat/endpoints'),
  });
  const [endpoint, setEndpoint] = useState('');
  const [model, setModel] = useState('');
  // Once someone is at the fields, the list arriving must not write into them: set while they type,
  // the default landed between the field's select-all and the typed text, and the two ran together
  // ("http://a/v1http://b/v1"; the Studio browser suite caught it).
  const touched = useRef(false);
  const touch = useCallback(() => {
    touched.current = true;
  }, []);
  useEffect(() => {
    const first = endpoints.data?.endpoints[0];
    if (first && !endpoint && !touched.current) {
      setEndpoint(first.url);
      if (first.models[0]) setModel(first.models[0]);
    }
  }, [endpoints.data, endpoint]);
  const current = endpoints.data?.endpoints.find((e) => e.url === endpoint);
  return { endpoints, endpoint, setEndpoint, model, setModel, current, touch };
}

/**
 * Endpoint and model inputs with suggestions, and the endpoint's error when it is unreachable.
 * `testIdPrefix` keeps each page's test ids (`agent-` → `agent-endpoint`, `agent-model`).
 */
export function EndpointFields(props: {
  choice: EndpointChoice;
  labels: { endpoint: string; model: string; unreachable(error: string): string };
  testIdPrefix: string;
  endpointClassName?: string;
}) {
  const { choice, labels, testIdPrefix: p } = props;
  return (
    <>
      <label className={props.endpointClassName ?? 'field'}>
        {labels.endpoint}
        <input
          list={`${p}endpoints`}
          value={choice.endpoint}
          onFocus={choice.touch}
          onChange={(e) => choice.setEndpoint(e.target.value)}
          data-testid={`${p}endpoint`}
        />
        <datalist id={`${p}endpoints`}>
          {choice.endpoints.data?.endpoints.map((e) => (
            <option key={e.url} value={e.url} />
          ))}
        </datalist>
      </label>
      {choice.current?.error && (
        <p className="bad" role="alert">
          {labels.unreachable(choice.current.error)}
        </p>
      )}
      <label className="field">
        {labels.model}
        <input
          list={`${p}models`}
          value={choice.model}
          onFocus={choice.touch}
          onChange={(e) => choice.setModel(e.target.value)}
          data-testid={`${p}model`}
        />
        <datalist id={`${p}models`}>
          {choice.current?.models.map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
      </label>
    </>
  );
}
