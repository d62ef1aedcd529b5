import '../demos/demos.css';
import { useEffect, useState } from 'react';
import type { ScenarioListing } from '../../host/engine';
import { DemoGallery } from '../demos/DemoGallery';
import { readDemoRoute } from '../demos/demo-route';
import { DemoView } from '../demos/DemoView';
import { engine } from '../engine-client';
import { useHashRoute } from '../router/use-hash-route';

/**
 * `#/demos`: demo mode for lectures. The gallery lists the fault demos; `#/demos/<name>` shows one
 * in a projector layout, and `?variant=fix` runs it with the configuration that avoids the anomaly.
 */
export default function DemosPage() {
  const route = useHashRoute();
  const { name, fix } = readDemoRoute(route.path, route.params);
  const [demos, setDemos] = useState<ScenarioListing[]>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let live = true;
    engine()
      .listScenarios('demos')
      .then(
        (d) => live && setDemos(d),
        (e: Error) => live && setError(`The engine did not start: ${e.message}`),
      );
    return () => {
      live = false;
    };
  }, []);

  if (error) {
    return (
      <div className="page">
        <h1>Demos</h1>
        <p className="error" role="alert">
          {error}
        </p>
      </div>
    );
  }
  if (demos === undefined) {
    return (
      <p className="page" role="status">
        Loading the demos…
      </p>
    );
  }
  if (name !== undefined) {
    const listing = demos.find((d) => d.name === name);
    if (listing) return <DemoView key={name} listing={listing} fix={fix} />;
    return (
      <div className="page">
        <h1>Demo not found</h1>
        <p>
          There is no demo called “{name}”. <a href="#/demos">See all demos</a>.
        </p>
      </div>
    );
  }
  return (
    <div className="page page-wide demo-gallery">
      <div className="page-head">
        <h1>Demos</h1>
        <p className="tagline">Fault scenarios for lectures: each shows one way a broker loses, duplicates or reorders data, on a fixed seed.</p>
      </div>
      <p className="demo-intro">
        Open a demo, read what to watch, press <strong>Play</strong> (or <kbd>Space</kbd> on the timeline) and pick a speed; jump to the moments that matter, then run it again <strong>with the fix</strong>. Every run is deterministic: the same demo gives the same history in every browser and in <code>npx brokerlab run &lt;demo&gt;</code>.
      </p>
      <DemoGallery demos={demos} />
    </div>
  );
}
