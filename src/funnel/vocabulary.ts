// The funnel's words live beside the product's vocabulary (src/funnel-vocabulary.ts): the storage reads them too.
export * from '../funnel-vocabulary.ts';
