/** The database dialects the store speaks. */
export type Dialect = 'sqlite' | 'postgres';
