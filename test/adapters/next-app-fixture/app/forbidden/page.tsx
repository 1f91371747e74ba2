export default function Forbidden() {
  return <h1>forbidden</h1>;
}
