import { lazy, Suspense, useEffect, useRef } from 'react';
import { HomePage } from './pages/HomePage';
import { LabPage } from './pages/LabPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { useHashRoute } from './router/use-hash-route';
import { Header } from './shell/Header';

// The playground carries the views and uPlot; the home page paints without them.
const PlaygroundPage = lazy(() => import('./pages/PlaygroundPage'));

const TITLES: Record<string, string> = { '/': 'Brokerlab', '/playground': 'Playground · Brokerlab' };

/** The app shell: header, and the page the hash names (`#/`, `#/playground`, `#/lab/<id>`). */
export function App() {
  const route = useHashRoute();
  const mainRef = useRef<HTMLElement>(null);
  const firstPath = useRef(route.path);

  useEffect(() => {
    document.title = TITLES[route.path] ?? (route.path.startsWith('/lab') ? 'Labs · Brokerlab' : 'Brokerlab');
    // After a navigation (not the first load), focus moves to the new page, as a full page load would.
    if (route.path !== firstPath.current) {
      firstPath.current = '';
      mainRef.current?.focus();
    }
  }, [route.path]);

  let page;
  if (route.path === '/') page = <HomePage />;
  else if (route.path === '/playground') page = <PlaygroundPage />;
  else if (route.path === '/lab' || route.path === '/lab/') page = <LabPage id={undefined} />;
  else if (route.path.startsWith('/lab/')) page = <LabPage id={decodeURIComponent(route.path.slice('/lab/'.length))} />;
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
