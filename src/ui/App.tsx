import { lazy, Suspense, useEffect, useRef } from 'react';
import { HomePage } from './pages/HomePage';
import { NotFoundPage } from './pages/NotFoundPage';
import { useHashRoute } from './router/use-hash-route';
import { Header } from './shell/Header';

// The playground carries the views and uPlot; the home page paints without them.
const PlaygroundPage = lazy(() => import('./pages/PlaygroundPage'));
// The labs carry the views too (and the lab page the editor); the about page the self-test.
const CatalogPage = lazy(() => import('./pages/CatalogPage'));
const LabPage = lazy(() => import('./pages/LabPage'));
const AboutPage = lazy(() => import('./pages/AboutPage'));
// The instructor page carries the assessment formats and starts its own grading workers.
const InstructorPage = lazy(() => import('./pages/InstructorPage'));
// Demo mode for lectures carries the views, like the playground.
const DemosPage = lazy(() => import('./pages/DemosPage'));

const TITLES: Record<string, string> = { '/': 'Brokerlab', '/playground': 'Playground · Brokerlab', '/about': 'About · Brokerlab', '/instructor': 'Instructor · Brokerlab' };

/** The app shell: header, and the page the hash names (`#/`, `#/playground`, `#/labs`, `#/lab/<id>`, `#/about`). */
export function App() {
  const route = useHashRoute();
  const mainRef = useRef<HTMLElement>(null);
  const firstPath = useRef(route.path);

  useEffect(() => {
    document.title = TITLES[route.path] ?? (route.path.startsWith('/lab') ? 'Labs · Brokerlab' : route.path.startsWith('/demos') ? 'Demos · Brokerlab' : 'Brokerlab');
    // After a navigation (not the first load), focus moves to the new page, as a full page load would.
    if (route.path !== firstPath.current) {
      firstPath.current = '';
      mainRef.current?.focus();
    }
  }, [route.path]);

  let page;
  if (route.path === '/') page = <HomePage />;
  else if (route.path === '/playground') page = <PlaygroundPage />;
  else if (route.path === '/labs' || route.path === '/lab' || route.path === '/lab/') page = <CatalogPage />;
  else if (route.path.startsWith('/lab/')) page = <LabPage id={decodeURIComponent(route.path.slice('/lab/'.length))} />;
  else if (route.path === '/about') page = <AboutPage />;
  else if (route.path === '/instructor') page = <InstructorPage />;
  else if (route.path === '/demos' || route.path.startsWith('/demos/')) page = <DemosPage />;
  else page = <NotFoundPage path={route.path} />;

  return (
    <>
      <Header path={route.path} />
      <main id="main" ref={mainRef} tabIndex={-1}>
        <Suspense
          fallback={
            <p className="page" role="status">
              Loading…
            </p>
          }
        >
          {page}
        </Suspense>
      </main>
    </>
  );
}
