// @puyu/agent/testing — fixtures other packages' tests share: the generated local web MindSearch
// is tested on (a made-up country) and the scripted model that plans, searches and cites over it.
export {
  ASTREL_PAGES,
  ASTREL_PLAN,
  ASTREL_QUESTION,
  astrelPage,
  astrelScriptedReply,
  writeAstrelWeb,
} from './mindsearch/astrelWeb.js';
