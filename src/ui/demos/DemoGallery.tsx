import type { ScenarioListing } from '../../host/engine';
import { demoHref } from './demo-route';

/**
 * The gallery: one card per demo with its title (the card's one link), the broker and a one-line
 * hook, in the order a lecture might take them.
 */
export function DemoGallery({ demos }: { demos: ScenarioListing[] }) {
  return (
    <ul className="demo-cards" aria-label="Demos">
      {demos.map((d) => (
        <li key={d.name} className="demo-card" data-testid="demo-card">
          <h2>
            <a href={demoHref(d.name)}>{d.demo!.title}</a>
          </h2>
          <p className="demo-card-hook">{d.demo!.hook}</p>
          <p className="demo-card-foot">
            <span className="broker-badge">{d.demo!.broker}</span>
            <span className="demo-card-fix">Fix: {d.demo!.fix.label}</span>
          </p>
        </li>
      ))}
    </ul>
  );
}
