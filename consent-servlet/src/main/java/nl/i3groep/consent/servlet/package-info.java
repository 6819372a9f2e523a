/**
 * The servlet filter that enforces consent decisions in a webapp ({@code ConsentFilter}) and serves
 * the consent endpoint. Not built yet: this module holds its place in the build.
 */
package nl.i3groep.consent.servlet;
