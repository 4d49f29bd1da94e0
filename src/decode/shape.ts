/**
 * Object layout for the hot, long-lived objects (the reused packet, connections, endpoints,
 * stream states). V8 gives each class a hidden layout that it refines as fields are written, and
 * every refinement throws away the optimized code compiled for the old one. Two refinements come
 * late in a capture unless prevented:
 * - a field written only once is taken for a constant, until the first object is reset for reuse;
 * - a field that held small integers changes to a double (and every object's layout with it) the
 *   first time it gets a fraction (a capture time) or a 32-bit value above 2^31 (an IPv4 address,
 *   a sequence number);
 * - a field that held only one kind of object (a shared frozen placeholder) is taken to hold only
 *   that kind, until the first object of another kind is stored in it.
 * So those classes' constructors write every field twice (their `reset` after the initializers),
 * and fields that will hold doubles start with DOUBLE, which `reset` then sets to the real
 * initial value. Values are never seen as 0.5. Fields that start with a shared placeholder get one
 * object of the other kind in the constructor, before `reset` sets the placeholder.
 */
export const DOUBLE = 0.5;
