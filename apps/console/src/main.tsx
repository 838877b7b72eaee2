import { StrictMode } from 'react';
import { QueryClientProvider } from '@tanstack/react-query';
import { createRoot } from 'react-dom/client';
import { ApiClient } from './api/client';
import { createQueryClient } from './api/queries';
import { App } from './app';
import { SessionProvider } from './auth/session';
import './styles.css';

const client = new ApiClient(window.sessionStorage);
const queryClient = createQueryClient();

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <SessionProvider client={client}>
        <App />
      </SessionProvider>
    </QueryClientProvider>
  </StrictMode>,
);
