/**
 * A small sample directory of knowledge workers for local mode and tests (Entra object ids are fixed GUIDs).
 */

/** One sample knowledge worker. */
export interface SampleUser {
  readonly id: string;
  readonly displayName: string;
  readonly availability: string;
  readonly activity: string;
}

/** Five sample knowledge workers with varied presence. */
export const sampleDirectory: readonly SampleUser[] = [
  {
    id: '6e7b768e-07e2-4810-8459-485f84f8f204',
    displayName: 'Megan Bowen',
    availability: 'Available',
    activity: 'Available',
  },
  { id: '87d349ed-44d7-43e1-9a83-5f2406dee5bd', displayName: 'Alex Wilber', availability: 'Busy', activity: 'InACall' },
  { id: '5bde3e51-d13b-4db1-9948-fe4b109d11a7', displayName: 'Adele Vance', availability: 'Away', activity: 'Away' },
  {
    id: '4782e723-f4f4-4af3-a76e-25e3bab0d896',
    displayName: 'Lee Gu',
    availability: 'DoNotDisturb',
    activity: 'Presenting',
  },
  {
    id: '0ed7a07c-1f3a-4a1c-a6fb-4b5c0c1b3c7e',
    displayName: 'Nestor Wilke',
    availability: 'Offline',
    activity: 'OffWork',
  },
];
