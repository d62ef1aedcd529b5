import { defineLab } from '../../../src/labs/lab/spec';
import { buildRoutingScenario, receivesExactly, routingApi, routingTypes } from '../../../src/labs/scenarios/amqp-routing';

export default defineLab({
  id: 'routing',
  title: 'Routing: topic and headers exchanges',
  topic: 'routing',
  broker: 'rabbitmq',
  objectives: ['lo.broker-architecture', 'broker.choose', 'broker.scalability-config'],
  summary: 'A shop publishes events with routing keys like order.eu.created and documents with headers like format: pdf. Declare exchanges, queues and bindings so each of six services receives exactly its messages.',
  seeds: Array.from({ length: 20 }, (_, i) => i + 1),
  chaosMs: 3_000,
  healMs: 2_000,
  api: routingApi,
  apiTypes: routingTypes,
  checks: [
    { id: 'audit', title: 'audit gets every order event', points: 20, checker: receivesExactly('audit'), teaches: 'In a topic pattern `*` is exactly one word and `#` is zero or more, so `order.#` matches keys of any length.' },
    { id: 'fulfilment', title: 'fulfilment gets new orders only', points: 15, checker: receivesExactly('fulfilment'), teaches: 'A pattern that is too broad delivers other teams\' events: name the words you mean and wildcard only the ones that vary.' },
    { id: 'eu-ops', title: 'eu-ops gets every EU event', points: 15, checker: receivesExactly('eu-ops'), teaches: 'A `*` at the end of a pattern silently drops keys that grow a word; `#` keeps them.' },
    { id: 'alerts', title: 'alerts gets every failure', points: 10, checker: receivesExactly('alerts'), teaches: '`#` can stand at the start of a pattern too: `#.failed` matches whatever comes before the last word.' },
    { id: 'printing', title: 'printing gets urgent PDFs only', points: 20, checker: receivesExactly('printing'), teaches: 'A headers binding with `x-match: all` needs every listed header to match; `any` needs just one.' },
    { id: 'archive', title: 'archive gets CSVs and legal holds', points: 20, checker: receivesExactly('archive'), teaches: '`x-match: any` routes a message that matches at least one listed header: an OR over headers.' },
  ],
  hints: [
    { afterFailures: 1, text: 'Open a failed check: its evidence names an event the service missed or should not have got, with its routing key or headers, and the bindings of the service\'s queue. Try matching the key against the pattern word by word.' },
    { afterFailures: 2, text: 'In a topic exchange, `*` stands for exactly one word and `#` for zero or more words. How many words does order.us.item.added have? What does order.* match?' },
    { afterFailures: 3, text: 'A topic pattern can mix literal words and wildcards in any position. Which words of order.eu.created does fulfilment care about, and which may vary?' },
    { afterFailures: 4, text: 'For a headers exchange, the binding arguments say which headers to compare and x-match says how to combine them. Read the rule of printing again: is it "this and that", or "this or that"?' },
  ],
  build: (ctx) => buildRoutingScenario(ctx, { events: 90, documents: 45, everyMs: 25 }),
});
