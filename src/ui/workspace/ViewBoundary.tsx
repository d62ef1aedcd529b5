import { Component, type ReactNode } from 'react';

interface Props {
  name: string;
  children: ReactNode;
}

/**
 * Keeps one view's failure from blanking the page: the view is replaced by what went wrong and a
 * button to draw it again, and the rest of the workspace (and the learner's code) stays.
 */
export class ViewBoundary extends Component<Props, { error?: Error }> {
  override state: { error?: Error } = {};

  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error };
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <section className="panel view" role="alert">
        <h2>{this.props.name} could not be drawn</h2>
        <p className="error">{error.message}</p>
        <button type="button" onClick={() => this.setState({ error: undefined })}>
          Draw it again
        </button>
      </section>
    );
  }
}
