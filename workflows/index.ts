// Every workflow the worker hosts.
export { checkout } from './checkout.ts';
export { reservationExpiry } from './reservationExpiry.ts';
export { holdSweeper } from './holdSweeper.ts';
export { paymentConfirmation } from './paymentConfirmation.ts';
export { fulfillment } from './fulfillment.ts';
export { shipment } from './shipment.ts';
