/** The projector worker's bundled code (js/build.mjs makes this module from worker.ts). */
declare module "nbboard:projector-worker" {
  const source: string;
  export default source;
}
