// Runes everywhere: no legacy reactive syntax slips into the UI.
export default {
  compilerOptions: { runes: true },
};
