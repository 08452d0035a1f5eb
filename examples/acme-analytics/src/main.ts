/**
 * Entry point of Acme Analytics. This file is yours: saas-gen wrote it once and will never
 * overwrite it.
 */
import { messageKinds } from './contracts/messages.js';

const messages = Object.keys(messageKinds).length;
console.log(`Acme Analytics: ${messages} message types`);
