/** Brings .product-fixture up to date before the product's tests run (needs `npm run build`). */
import { writeProductFixture } from '../../scripts/product-fixture.js';

export default function setup(): void {
  writeProductFixture();
}
