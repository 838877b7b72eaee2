import { CaseSet } from './matrix';

/** Usage: the control plane's per-org counts (no patient data). */
const usage: CaseSet = {
  cases: {
    'GET /internal/v1/usage': { kind: 'service' },
  },
  clinic: {
    cases: {
      'GET /internal/v1/usage': { kind: 'org-wide', reason: 'control plane to region, service credential only (org matrix: a user token gets 401)' },
    },
  },
};

export default usage;
