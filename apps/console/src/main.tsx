import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiClient } from './api/client';
import { App } from './app';
import { SessionProvider } from './auth/session';
import './styles.css';

const client = new ApiClient(window.sessionStorage);

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <SessionProvider client={client}>
      <App />
    </SessionProvider>
  </StrictMode>,
);
