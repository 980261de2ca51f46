/**
 * Cutover: moving a group to new backends, verified first ({@link net.passerelle.gateway.cutover.CutoverVerifier})
 * and applied atomically by the store ({@link net.passerelle.gateway.cutover.Cutover}). Runs off the data plane.
 */
package net.passerelle.gateway.cutover;
