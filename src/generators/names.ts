/** Casing for generated identifiers, so templates receive names ready to print. */

const words = (name: string): string[] =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());

const capitalize = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);

export const pascalCase = (name: string): string => words(name).map(capitalize).join('');
export const camelCase = (name: string): string => {
  const pascal = pascalCase(name);
  return pascal.charAt(0).toLowerCase() + pascal.slice(1);
};
export const kebabCase = (name: string): string => words(name).join('-');
export const constantCase = (name: string): string => words(name).join('_').toUpperCase();
export const titleCase = (name: string): string => words(name).map(capitalize).join(' ');
