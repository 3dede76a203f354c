// simple-peer's own browser bundle (Node polyfills included) has the package's types.
declare module 'simple-peer/simplepeer.min.js' {
  import SimplePeer from 'simple-peer';
  export default SimplePeer;
}
