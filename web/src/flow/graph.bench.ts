// `npm run bench`: what the canvas costs on a 200-step flow (the issue's "stays smooth with 200
// steps"): drawing the document, laying it out from scratch, and one edit (a step added, the graph
// redrawn), as each keystroke or click in the editor does.
import { bench, describe } from 'vitest';
import { big } from '../test/fixtures';
import { addStepAfter } from './edit';
import { flowToGraph, indexCatalog } from './graph';
import { layoutFlow } from './layout';

const catalog = indexCatalog({ pieces: [] });
const placed = (() => {
  const doc = big(200);
  return { ...doc, ui: { positions: layoutFlow(doc).positions } };
})();

describe('a 200-step flow', () => {
  bench('document → canvas graph', () => {
    flowToGraph(placed, catalog);
  });
  bench('auto-layout from scratch', () => {
    layoutFlow(big(200));
  });
  bench('one edit: add a step, redraw', () => {
    flowToGraph(addStepAfter(placed, 'route', { id: 'added', type: 'stop' }, { branch: 'b0' }), catalog);
  });
});
