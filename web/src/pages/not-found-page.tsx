import { AppHeader } from '../components/app-header';
import { Link } from '../components/link';

export function NotFoundPage() {
  return (
    <>
      <AppHeader />
      <main className="page">
        <h1>Page not found</h1>
        <p>
          There is nothing at this address. <Link href="/">Go to your flows</Link>.
        </p>
      </main>
    </>
  );
}
