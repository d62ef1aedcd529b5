interface NavItem {
  href: string;
  label: string;
  /** The route paths this item stands for. */
  matches: (path: string) => boolean;
}

const NAV: NavItem[] = [
  { href: '#/', label: 'Home', matches: (p) => p === '/' },
  { href: '#/playground', label: 'Playground', matches: (p) => p === '/playground' },
  { href: '#/labs', label: 'Labs', matches: (p) => p === '/labs' || p === '/lab' || p.startsWith('/lab/') },
  { href: '#/demos', label: 'Demos', matches: (p) => p === '/demos' || p.startsWith('/demos/') },
  { href: '#/instructor', label: 'Instructor', matches: (p) => p === '/instructor' },
  { href: '#/about', label: 'About', matches: (p) => p === '/about' },
];

/**
 * The site header: a skip link, the name, and the pages. Plain links, so Tab, Enter, middle-click
 * and Back all work as people expect; the current page is marked for screen readers.
 */
export function Header({ path }: { path: string }) {
  return (
    <header className="site-header">
      <button type="button" className="skip-link" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <a className="brand" href="#/">
        <img src={`${import.meta.env.BASE_URL}icons/icon.svg`} alt="" width={32} height={32} />
        <span>Brokerlab</span>
      </a>
      <nav aria-label="Pages">
        <ul>
          {NAV.map((item) => (
            <li key={item.href}>
              <a href={item.href} aria-current={item.matches(path) ? 'page' : undefined}>
                {item.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
    </header>
  );
}
